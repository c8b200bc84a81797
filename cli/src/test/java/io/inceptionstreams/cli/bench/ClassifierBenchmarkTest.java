package io.inceptionstreams.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inceptionstreams.cli.bench.ClassifierBenchmark.Measurement;
import io.inceptionstreams.cli.bench.ClassifierBenchmark.Report;
import io.inceptionstreams.cli.bench.ClassifierBenchmark.Settings;
import io.inceptionstreams.cli.bench.ClassifierBenchmark.Target;
import io.inceptionstreams.model.classify.Execution;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke test of the benchmark library on a tiny network: figures exist and are positive. */
class ClassifierBenchmarkTest {

    @TempDir Path dir;

    @Test
    void shouldReportPositiveThroughputForEveryBatchSizeAndExecution() throws Exception {
        // Given a random 48x48x1 bundle and a tiny setting with both executions
        Target target =
                new Target(
                        "tiny",
                        ClassifierBenchmark.randomBundle(
                                dir,
                                "tiny",
                                ClassifierBenchmark.SMALL_INPUT,
                                ClassifierBenchmark.SMALL_CLASSES));
        Settings settings =
                Settings.defaults()
                        .withBatchSizes(List.of(1, 2))
                        .withExecutions(List.of(Execution.IMPERATIVE, Execution.CACHED_GRAPH))
                        .withBatches(1, 2, 2, Duration.ZERO);

        // When it is measured
        Report report = ClassifierBenchmark.run(List.of(target), settings);

        // Then every batch size has a positive figure per execution, and a ratio for the second
        assertThat(report.results()).hasSize(4);
        for (Measurement m : report.results()) {
            assertThat(m.model()).isEqualTo("tiny");
            assertThat(m.input()).isEqualTo("48x48x1");
            assertThat(m.classes()).isEqualTo(10);
            assertThat(m.batches()).isEqualTo(2);
            assertThat(m.medianImagesPerSecond()).isPositive();
            assertThat(m.minImagesPerSecond()).isPositive();
            assertThat(m.maxImagesPerSecond()).isGreaterThanOrEqualTo(m.minImagesPerSecond());
            assertThat(m.medianBatchMillis()).isPositive();
            assertThat(m.spread()).isNotNegative();
            if (m.execution() == Execution.CACHED_GRAPH) {
                assertThat(report.ratioToFirst(m)).isPositive();
            }
        }
        assertThat(report.results()).extracting(Measurement::batchSize).containsExactly(1, 1, 2, 2);
        assertThat(report.environment().cores()).isPositive();
        assertThat(report.environment().ompNumThreads()).isNotBlank();
        assertThat(report.toTable()).contains("OMP_NUM_THREADS=", "tiny", "cached-graph");
        String line = report.toJson();
        assertThat(line).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("cores").asInt()).isEqualTo(report.environment().cores());
        assertThat(json.get("omp_num_threads").asText())
                .isEqualTo(report.environment().ompNumThreads());
        assertThat(json.get("env").isObject()).isTrue();
        JsonNode results = json.get("results");
        assertThat(results).hasSize(4);
        for (int i = 0; i < 4; i++) {
            Measurement m = report.results().get(i);
            assertThat(results.get(i).get("batch_size").asInt()).isEqualTo(m.batchSize());
            assertThat(results.get(i).get("execution").asText()).isNotBlank();
            assertThat(results.get(i).get("images_per_second").asDouble())
                    .isCloseTo(m.medianImagesPerSecond(), within(1e-3));
        }
        // The first execution is the baseline of the ratios: null there, a number beside it
        assertThat(results.get(0).get("ratio_to_first_execution").isNull()).isTrue();
        assertThat(results.get(1).get("ratio_to_first_execution").asDouble())
                .isCloseTo(report.ratioToFirst(report.results().get(1)), within(1e-3));
    }

    @Test
    void shouldFallBackToASmallRandomBundleWithoutADefaultOne() throws Exception {
        Target target = ClassifierBenchmark.bundleTarget("default", dir);

        assertThat(target.bundle().inputSpec().size()).isPositive();
        assertThat(target.label()).isNotBlank();
    }
}
