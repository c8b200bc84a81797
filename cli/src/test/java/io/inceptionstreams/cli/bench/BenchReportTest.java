package io.inceptionstreams.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inceptionstreams.cli.bench.ClassifierBenchmark.Measurement;
import io.inceptionstreams.model.classify.Execution;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static Measurement predictor(int batch, double imagesPerSecond) {
        return new Measurement(
                "m",
                "48x48x1",
                10,
                Execution.CACHED_GRAPH,
                batch,
                5,
                imagesPerSecond,
                imagesPerSecond,
                imagesPerSecond,
                1000.0 * batch / imagesPerSecond,
                0);
    }

    private static BenchReport report(BenchReport.Throughput peer) {
        Measurement one = predictor(1, 100);
        Measurement sixteen = predictor(16, 400);
        return new BenchReport(
                "default 48x48x1/10",
                "48x48x1",
                10,
                "cpu()",
                2,
                "2",
                16,
                20,
                4,
                List.of(one, sixteen),
                sixteen,
                new BenchReport.Throughput(1000, 100, 360, 1.5, 4.0),
                15.5,
                new BenchReport.Throughput(500, 50, 90, 1.0, 6.5),
                new BenchReport.Latency(90, 180, 30, 80, 95, 140),
                peer,
                peer == null ? null : "python3 peer.py",
                0.5,
                0.7,
                60);
    }

    @Test
    void shouldComputeTheRatiosFromTheMeasuredRates() {
        BenchReport report = report(new BenchReport.Throughput(1000, 100, 120, 3, 12));

        assertThat(report.pipelineOverPredictor()).isCloseTo(0.9, within(1e-9));
        assertThat(report.pipelineOverNaive()).isCloseTo(4.0, within(1e-9));
        assertThat(report.pipelineOverPeer()).isCloseTo(3.0, within(1e-9));
        assertThat(report.batchGains()).containsEntry(1, 1.0).containsEntry(16, 4.0);
    }

    @Test
    void shouldProjectPipelineOverNaiveFromTheBatchGain() {
        // The naive topology keeps 0.9 of the batch-1 predictor, the pipeline 0.9 of its own:
        // pipeline/naive is then the predictor's gain from batch 1 to 16.
        BenchReport report = report(null);

        assertThat(report.projectedPipelineOverNaive(4)).isCloseTo(4.0, within(1e-9));
        assertThat(report.projectedPipelineOverNaive(30)).isCloseTo(30.0, within(1e-9));
    }

    @Test
    void shouldWriteTheIssuesFieldsAsOneJsonObject() throws Exception {
        JsonNode json = new ObjectMapper().readTree(report(null).toJson());

        assertThat(json.get("predictor_img_s").asDouble()).isEqualTo(400);
        assertThat(json.get("pipeline_img_s").asDouble()).isEqualTo(360);
        assertThat(json.get("naive_img_s").asDouble()).isEqualTo(90);
        assertThat(json.get("pipeline_over_predictor").asDouble()).isEqualTo(0.9);
        assertThat(json.get("pipeline_over_naive").asDouble()).isEqualTo(4);
        assertThat(json.get("p50_ms").asDouble()).isEqualTo(30);
        assertThat(json.get("p99_ms").asDouble()).isEqualTo(80);
        assertThat(json.get("p99_bound_ms").asDouble()).isEqualTo(140);
        assertThat(json.get("batch_size").asInt()).isEqualTo(16);
        assertThat(json.get("device").asText()).isEqualTo("cpu()");
        assertThat(json.get("cores").asInt()).isEqualTo(2);
        assertThat(json.has("peer_img_s")).isFalse();
        assertThat(json.get("predictor_sweep").get(1).get("vs_batch_1").asDouble()).isEqualTo(4);
    }

    @Test
    void shouldInterpolatePercentilesBetweenRanks() {
        double[] sorted = {10, 20, 30, 40, 50};

        assertThat(PipelineBenchmark.percentile(sorted, 0.5)).isEqualTo(30);
        assertThat(PipelineBenchmark.percentile(sorted, 0.99)).isCloseTo(49.6, within(1e-9));
    }
}
