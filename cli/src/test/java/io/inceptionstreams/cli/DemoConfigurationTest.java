package io.inceptionstreams.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.streams.ChildJvm;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo} reads its configuration as {@code run} does: the same sources and validation. */
@Timeout(120)
class DemoConfigurationTest {
    @TempDir Path dir;

    @Test
    void shouldRunTheDemoUnderTheGuaranteeSetWithSet() {
        // When the demo is given a knob with --set, as run would be
        CommandResult result =
                CommandResult.run(
                        "demo",
                        "--images",
                        "0",
                        "--http-port",
                        "-1",
                        "--set",
                        "processing.guarantee=at_least_once");

        // Then it runs under that setting and stops cleanly
        assertThat(result.exitCode()).as(result.err()).isEqualTo(InceptionStreams.EXIT_OK);
        assertThat(result.err()).contains("the classifier (at_least_once)...");
    }

    @Test
    void shouldRefuseAMisspeltInceptionVariableBeforeStartingAnything() throws Exception {
        // Given a typo in an INCEPTION_ variable (max.batch.size without its last letter)
        ProcessBuilder demo =
                ChildJvm.builder(dir, InceptionStreams.class.getName(), "demo", "--images", "0");
        demo.environment().put("INCEPTION_MAX_BATCH_SIZ", "3");

        // When the demo starts
        Process process = demo.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = new String(process.getErrorStream().readAllBytes(), UTF_8);

        // Then it exits with the usage code, naming the variable, as run does
        assertThat(process.exitValue()).as(err).isEqualTo(InceptionStreams.EXIT_USAGE);
        assertThat(err).contains("INCEPTION_MAX_BATCH_SIZ").doesNotContain("starting Kafka");
    }
}
