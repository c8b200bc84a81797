package io.inceptionstreams.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inceptionstreams.cli.CommandResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Smoke test of {@code bench train}: what it reports, never how fast it was. */
class TrainBenchCommandTest {

    @Test
    @Timeout(300)
    void shouldReportBothLoopsAndTheirRatio() throws Exception {
        CommandResult result =
                CommandResult.run(
                        "bench",
                        "train",
                        "--batch-size",
                        "4",
                        "--steps",
                        "2",
                        "--warmup",
                        "1",
                        "--rounds",
                        "2",
                        "--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).contains("round 2, train's loop", "round 2, DJL's Trainer");
        String[] lines = result.out().strip().split("\n");
        JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
        for (String field :
                new String[] {
                    "direct_img_s", "djl_trainer_img_s", "direct_over_djl_trainer", "epoch_minutes"
                }) {
            assertThat(json.get(field).asDouble()).as(field).isPositive();
        }
        assertThat(json.get("batch_size").asInt()).isEqualTo(4);
    }

    @Test
    void shouldRejectAnImageTooSmallForTheNetworksPools() {
        CommandResult result = CommandResult.run("bench", "train", "--image-size", "32");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("image size must be >= 48");
    }
}
