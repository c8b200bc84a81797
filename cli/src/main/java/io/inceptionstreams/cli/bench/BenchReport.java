package io.inceptionstreams.cli.bench;

import io.inceptionstreams.cli.bench.ClassifierBenchmark.Measurement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one {@code bench} run measured, as a table for people and one JSON line for scripts.
 *
 * @param model the bundle measured, e.g. {@code default 48x48x1/10}
 * @param input {@code WxHxC}
 * @param classes output classes
 * @param device where the model ran
 * @param cores available processors
 * @param ompNumThreads {@code OMP_NUM_THREADS} as set for MXNet, or {@code unset}
 * @param batchSize the service's {@code max.batch.size} and the predictor's batch size
 * @param maxBatchDelayMs the service's {@code max.batch.delay.ms}
 * @param partitions of every benchmark topic
 * @param sweep the predictor alone at each batch size of the sweep
 * @param predictor the sweep's entry at {@code batchSize}
 * @param pipeline the service on the broker
 * @param meanBatchSize images per inference batch during the pipeline run
 * @param naive one predict per record in {@code mapValues}
 * @param latency the service at about half its throughput
 * @param peer the peer command's pipeline, or null when none was given
 * @param peerCommand the peer command, or null
 * @param loadAverageBefore the system's 1-minute load average when the run started
 * @param loadAverageAfter ... and when it ended
 * @param seconds the whole run's wall-clock time
 */
record BenchReport(
        String model,
        String input,
        int classes,
        String device,
        int cores,
        String ompNumThreads,
        int batchSize,
        long maxBatchDelayMs,
        int partitions,
        List<Measurement> sweep,
        Measurement predictor,
        Throughput pipeline,
        double meanBatchSize,
        Throughput naive,
        Latency latency,
        Throughput peer,
        String peerCommand,
        double loadAverageBefore,
        double loadAverageAfter,
        double seconds) {

    /**
     * Images/s of a pipeline reading a pre-produced topic: {@code images} labels were awaited; the
     * rate counts those after the first {@code warmup}, between the arrival of the {@code
     * warmup}-th and the last label, so start-up (class loading, model load, group join, an
     * interpreter's imports) is not part of it, as it is not part of the predictor's figure either.
     *
     * @param images labels awaited
     * @param warmup labels before the timed window
     * @param imagesPerSecond over the timed window
     * @param firstLabelSeconds from the start of the pipeline until its first label
     * @param totalSeconds from the start of the pipeline until its last label
     */
    record Throughput(
            int images,
            int warmup,
            double imagesPerSecond,
            double firstLabelSeconds,
            double totalSeconds) {}

    /**
     * End-to-end latency, from handing an image to the producer until its label was read.
     *
     * @param images measured (the first tenth of those sent are left out as warm-up)
     * @param ratePerSecond at which they were sent
     * @param p50Ms median
     * @param p99Ms 99th percentile
     * @param maxMs worst
     * @param boundMs the goal for p99: max.batch.delay.ms + the commit wait (commit.interval.ms
     *     under exactly-once, 0 under at-least-once) + 3 x one batch's inference time
     */
    record Latency(
            int images,
            double ratePerSecond,
            double p50Ms,
            double p99Ms,
            double maxMs,
            double boundMs) {}

    double pipelineOverPredictor() {
        return pipeline.imagesPerSecond() / predictor.medianImagesPerSecond();
    }

    double pipelineOverNaive() {
        return naive == null ? Double.NaN : pipeline.imagesPerSecond() / naive.imagesPerSecond();
    }

    double pipelineOverPeer() {
        return peer == null ? Double.NaN : pipeline.imagesPerSecond() / peer.imagesPerSecond();
    }

    /** The predictor's images/s at batch size {@code b} over its images/s at batch size 1. */
    Map<Integer, Double> batchGains() {
        Map<Integer, Double> gains = new LinkedHashMap<>();
        Measurement one = sweep.stream().filter(m -> m.batchSize() == 1).findFirst().orElse(null);
        if (one != null) {
            for (Measurement m : sweep) {
                gains.put(m.batchSize(), m.medianImagesPerSecond() / one.medianImagesPerSecond());
            }
        }
        return gains;
    }

    /**
     * What pipeline/naive becomes where the predictor gains {@code gain} from batch 1 to the
     * pipeline's batch size (as a GPU does far more than a CPU): the pipeline keeps its share of
     * its predictor and the naive topology its share of the batch-1 predictor.
     */
    double projectedPipelineOverNaive(double gain) {
        Measurement one = sweep.stream().filter(m -> m.batchSize() == 1).findFirst().orElse(null);
        if (one == null || naive == null) {
            return Double.NaN;
        }
        double naiveShare = naive.imagesPerSecond() / one.medianImagesPerSecond();
        return pipelineOverPredictor() * gain / naiveShare;
    }

    String toTable() {
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        Locale.ROOT,
                        "bench: %s on %s, %d cores, OMP_NUM_THREADS=%s, batch %d, max delay %d ms,"
                                + " %d partitions, load average %.2f -> %.2f, %.0f s%n",
                        model,
                        device,
                        cores,
                        ompNumThreads,
                        batchSize,
                        maxBatchDelayMs,
                        partitions,
                        loadAverageBefore,
                        loadAverageAfter,
                        seconds));
        out.append("\npredictor alone (preprocessed tensors), batch sweep:\n");
        out.append(
                String.format(
                        Locale.ROOT,
                        "%6s %10s %10s %12s%n",
                        "batch",
                        "img/s",
                        "ms/batch",
                        "vs batch 1"));
        Map<Integer, Double> gains = batchGains();
        for (Measurement m : sweep) {
            Double gain = gains.get(m.batchSize());
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%6d %10.1f %10.1f %12s%n",
                            m.batchSize(),
                            m.medianImagesPerSecond(),
                            m.medianBatchMillis(),
                            gain == null ? "" : String.format(Locale.ROOT, "%.2fx", gain)));
        }
        out.append('\n');
        String row = "%-44s %10s %10s%n";
        out.append(String.format(Locale.ROOT, row, "measurement", "img/s", "ratio"));
        out.append(
                String.format(
                        Locale.ROOT,
                        row,
                        "predictor, batch " + batchSize,
                        f1(predictor.medianImagesPerSecond()),
                        ""));
        out.append(
                String.format(
                        Locale.ROOT,
                        row,
                        "pipeline (service, " + pipeline.images() + " images)",
                        f1(pipeline.imagesPerSecond()),
                        f2(pipelineOverPredictor()) + " of predictor"));
        if (naive != null) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            row,
                            "naive (predict per record, " + naive.images() + " images)",
                            f1(naive.imagesPerSecond()),
                            f2(pipelineOverNaive()) + " pipeline/naive"));
        }
        if (peer != null) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            row,
                            "peer pipeline (" + peer.images() + " images)",
                            f1(peer.imagesPerSecond()),
                            f2(pipelineOverPeer()) + " pipeline/peer"));
        }
        out.append(
                String.format(
                        Locale.ROOT, "mean batch in the pipeline: %.1f images%n", meanBatchSize));
        if (latency != null) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "latency at %.1f img/s (%d images): p50 %.1f ms, p99 %.1f ms, max %.1f"
                                    + " ms; goal p99 <= %.1f ms (max delay + commit wait + 3 batches)%n",
                            latency.ratePerSecond(),
                            latency.images(),
                            latency.p50Ms(),
                            latency.p99Ms(),
                            latency.maxMs(),
                            latency.boundMs()));
        }
        if (naive != null && gains.containsKey(batchSize)) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "projection: pipeline/naive = (pipeline/predictor)"
                                    + " / (naive/predictor@1) x gain(batch %d); here gain %.2fx"
                                    + " -> %.2f; a device gaining 10x -> %.1f, 30x -> %.1f%n",
                            batchSize,
                            gains.get(batchSize),
                            projectedPipelineOverNaive(gains.get(batchSize)),
                            projectedPipelineOverNaive(10),
                            projectedPipelineOverNaive(30)));
        }
        return out.toString();
    }

    /** For a chart's title: device, cores and MXNet threads. */
    String environment() {
        return device + ", " + cores + " cores, OMP_NUM_THREADS=" + ompNumThreads;
    }

    String toJson() {
        BenchJson json = new BenchJson();
        json.field("tool", "inception-streams bench");
        json.field("model", model);
        json.field("input", input);
        json.field("classes", classes);
        json.field("device", device);
        json.field("cores", cores);
        json.field("omp_num_threads", ompNumThreads);
        json.field("batch_size", batchSize);
        json.field("max_batch_delay_ms", maxBatchDelayMs);
        json.field("partitions", partitions);
        json.field("images", pipeline.images());
        json.field("predictor_img_s", predictor.medianImagesPerSecond());
        json.field("predictor_batch_ms", predictor.medianBatchMillis());
        json.field("pipeline_img_s", pipeline.imagesPerSecond());
        json.field("pipeline_over_predictor", pipelineOverPredictor());
        json.field("mean_batch_size", meanBatchSize);
        if (naive != null) {
            json.field("naive_img_s", naive.imagesPerSecond());
            json.field("pipeline_over_naive", pipelineOverNaive());
            json.field("naive_images", naive.images());
        }
        if (latency != null) {
            json.field("p50_ms", latency.p50Ms());
            json.field("p99_ms", latency.p99Ms());
            json.field("max_ms", latency.maxMs());
            json.field("p99_bound_ms", latency.boundMs());
            json.field("latency_rate_img_s", latency.ratePerSecond());
            json.field("latency_images", latency.images());
        }
        if (peer != null) {
            json.field("peer_command", peerCommand);
            json.field("peer_img_s", peer.imagesPerSecond());
            json.field("pipeline_over_peer", pipelineOverPeer());
        }
        List<String> sweepJson = new ArrayList<>();
        Map<Integer, Double> gains = batchGains();
        for (Measurement m : sweep) {
            BenchJson point = new BenchJson();
            point.field("batch_size", m.batchSize());
            point.field("img_s", m.medianImagesPerSecond());
            point.field("batch_ms", m.medianBatchMillis());
            if (gains.containsKey(m.batchSize())) {
                point.field("vs_batch_1", gains.get(m.batchSize()));
            }
            sweepJson.add(point.toString());
        }
        json.array("predictor_sweep", sweepJson);
        if (naive != null && gains.containsKey(batchSize)) {
            json.field("projected_pipeline_over_naive_gain_10x", projectedPipelineOverNaive(10));
            json.field("projected_pipeline_over_naive_gain_30x", projectedPipelineOverNaive(30));
        }
        json.field("load_average_before", loadAverageBefore);
        json.field("load_average_after", loadAverageAfter);
        json.field("seconds", seconds);
        return json.toString();
    }

    private static String f1(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String f2(double value) {
        return String.format(Locale.ROOT, "%.2fx", value);
    }
}
