package io.inceptionstreams.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The latency goal allows for the commit a read_committed consumer waits for. */
class PipelineBenchmarkTest {

    @Test
    void shouldWaitForTheCommitIntervalUnderExactlyOnceOnly() {
        // The default guarantee is exactly-once, with Kafka Streams' commit interval for it
        assertThat(PipelineBenchmark.commitWaitMs(Map.of())).isEqualTo(100);
        assertThat(PipelineBenchmark.commitWaitMs(Map.of("kafka.commit.interval.ms", "250")))
                .isEqualTo(250);
        // Without transactions a label is readable as soon as it is written
        assertThat(PipelineBenchmark.commitWaitMs(Map.of("processing.guarantee", "at_least_once")))
                .isZero();
    }
}
