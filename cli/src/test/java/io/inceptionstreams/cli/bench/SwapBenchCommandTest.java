package io.inceptionstreams.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inceptionstreams.cli.CommandResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Smoke tests of {@code bench swap} on a short run: what it reports about the images and the
 * switch, never how fast anything was.
 */
class SwapBenchCommandTest {

    @Test
    @Timeout(300)
    void shouldSwitchModelsWhileImagesFlowAndAccountForEveryImage() throws Exception {
        // Given a short, slow flow into one instance
        // When the next model is deployed after four seconds of it
        CommandResult result =
                CommandResult.run(
                        "bench",
                        "swap",
                        "--rate",
                        "20",
                        "--before",
                        "4",
                        "--after",
                        "20",
                        "--window",
                        "2",
                        "--batch-size",
                        "4",
                        "--partitions",
                        "2",
                        "--device",
                        "cpu",
                        "--json");

        // Then every image got exactly one label, the later ones from the next model
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("after / before", "switch:");
        String[] lines = result.out().strip().split("\n");
        JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(json.get("sent").asInt()).isEqualTo(480);
        assertThat(json.get("labelled").asInt()).isEqualTo(480);
        assertThat(json.get("lost").asInt()).isZero();
        assertThat(json.get("duplicates").asInt()).isZero();
        // (the switch has 20 s: it took 2.5-9 s on a loaded 2-core machine)
        assertThat(json.get("by_next_model").asInt()).isBetween(1, 479);
        for (String field :
                List.of(
                        "switch_s",
                        "before_img_s",
                        "after_img_s",
                        "after_over_before_img_s",
                        "before_p99_ms",
                        "after_p99_ms",
                        "after_over_before_p99")) {
            assertThat(json.get(field).isNumber()).as(field).isTrue();
            assertThat(json.get(field).asDouble()).as(field).isPositive();
        }
    }

    @Test
    void shouldRejectABeforePeriodShorterThanTwoWindowsAsAUsageError() {
        CommandResult result =
                CommandResult.run("bench", "swap", "--before", "5", "--window", "10");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--before at least twice");
    }
}
