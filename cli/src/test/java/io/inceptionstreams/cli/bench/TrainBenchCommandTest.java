package io.inceptionstreams.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** Smoke test of {@code bench train}: what it reports, never how fast it was. */
class TrainBenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int bench(String... args) {
        CommandLine command = new CommandLine(new TrainBenchCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    @Test
    @Timeout(300)
    void shouldReportBothLoopsAndTheirRatio() throws Exception {
        int exit =
                bench(
                        "--batch-size",
                        "4",
                        "--steps",
                        "2",
                        "--warmup",
                        "1",
                        "--rounds",
                        "2",
                        "--json");
        assertThat(exit).as(err.toString()).isZero();
        assertThat(err.toString()).contains("round 2, train's loop", "round 2, DJL's Trainer");
        String[] lines = out.toString().strip().split("\n");
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
        assertThat(bench("--image-size", "32")).isEqualTo(2);
        assertThat(err.toString()).contains("image size must be >= 48");
    }
}
