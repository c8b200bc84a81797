package io.inceptionstreams.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inceptionstreams.cli.CommandResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Smoke tests of {@code bench} on a tiny setting: the default bundle, a few dozen images, a
 * fraction of a second per measurement. They check what the run reports, never how fast it was.
 */
class BenchCommandTest {

    @Test
    @Timeout(300)
    void shouldReportEveryFigureAsAPositiveNumberInTheLastJsonLine() throws Exception {
        // Given a tiny run on the CPU
        // When bench runs with --json
        CommandResult result =
                CommandResult.run(
                        "bench",
                        "--images",
                        "48",
                        "--duration",
                        "0.3",
                        "--sweep",
                        "1",
                        "--batch-size",
                        "4",
                        "--partitions",
                        "2",
                        "--device",
                        "cpu",
                        "--json");

        // Then it succeeds, prints the table, and the last line is a JSON object of positive
        // figures
        assertThat(result.exitCode()).as(result.err()).isZero();
        String[] lines = result.out().strip().split("\n");
        assertThat(result.out()).contains("pipeline", "naive", "predictor", "latency");
        JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
        for (String field :
                List.of(
                        "predictor_img_s",
                        "pipeline_img_s",
                        "naive_img_s",
                        "pipeline_over_predictor",
                        "pipeline_over_naive",
                        "p50_ms",
                        "p99_ms",
                        "batch_size",
                        "cores")) {
            assertThat(json.has(field)).as(field).isTrue();
            assertThat(json.get(field).isNumber()).as(field).isTrue();
            assertThat(json.get(field).asDouble()).as(field).isPositive();
        }
        assertThat(json.get("batch_size").asInt()).isEqualTo(4);
        assertThat(json.get("images").asInt()).isEqualTo(48);
        assertThat(json.get("device").asText()).isNotBlank();
        assertThat(json.get("predictor_sweep")).hasSize(2);
    }

    @Test
    @Timeout(300)
    void shouldFailNamingTheExitCodeWhenThePeerCommandDies() {
        // Given a peer command that exits at once without labelling anything
        // When bench runs it
        CommandResult result =
                CommandResult.run(
                        "bench",
                        "--images",
                        "24",
                        "--duration",
                        "0.2",
                        "--sweep",
                        "1",
                        "--batch-size",
                        "4",
                        "--partitions",
                        "1",
                        "--device",
                        "cpu",
                        "--no-naive",
                        "--peer-command",
                        "echo giving up; exit 3");

        // Then bench fails with the peer's output and exit code in its log
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("peer: giving up", "exit code 3");
    }

    @Test
    void shouldRejectAnInvalidSettingAsAUsageErrorBeforeMeasuringAnything() {
        CommandResult result = CommandResult.run("bench", "--batch-size", "0");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("batch size");
    }

    @Test
    void shouldGiveUsageErrorsPicocliExitCode() {
        CommandResult result = CommandResult.run("bench", "--no-such-option");
        assertThat(result.exitCode()).isEqualTo(2);
    }
}
