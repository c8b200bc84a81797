package io.inceptionstreams.cli.bench;

import io.inceptionstreams.cli.bench.ClassifierBenchmark.Measurement;
import io.inceptionstreams.cli.bench.ClassifierBenchmark.Target;
import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.Execution;
import io.inceptionstreams.schemas.avro.DeploymentMode;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.registry.server.EmbeddedSchemaRegistry;
import io.inceptionstreams.streams.ClassifierService;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.rollout.ModelDeployments;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.utils.Utils;

/**
 * What a model switch costs the images flowing through the service: one instance, fed at a steady
 * rate on a real in-process broker, is told through its models topic to switch to another bundle
 * half-way; its labels, read committed as a downstream consumer reads them, give the throughput and
 * the p99 latency in the window after the deployment against the window before it, how long the
 * switch took, and whether any image was lost or labelled twice.
 */
public final class SwapBenchmark {

    static final String IMAGES = "bench-swap-images";
    static final String LABELS = "bench-swap-labels";
    static final String DLQ = "bench-swap-images-dlq";
    static final String MODELS = "bench-swap-models";
    static final String NEXT_VERSION = "swap-next";

    private static final int TOP_K = 5;

    /**
     * What to run.
     *
     * @param bundle the model the service starts with
     * @param next the model deployed half-way (the same location loads a second copy)
     * @param batchSize the service's max.batch.size
     * @param partitions of the images and labels topics
     * @param rate images per second, or 0 for 40% of the predictor's rate at {@code batchSize}
     *     (about half what the service sustains on two cores)
     * @param before seconds of steady flow before the deployment (at least twice {@code window}:
     *     the first part warms the JVM)
     * @param after seconds of flow after it (at least {@code window})
     * @param window the seconds compared on either side of the deployment
     * @param device cpu, auto or gpu:N
     * @param overrides extra service configuration (ClassifierConfig keys, kafka.*, serde.*)
     */
    public record Settings(
            String bundle,
            String next,
            int batchSize,
            int partitions,
            double rate,
            Duration before,
            Duration after,
            Duration window,
            String device,
            Map<String, String> overrides) {

        public Settings {
            overrides = Map.copyOf(overrides);
            if (batchSize < 1 || partitions < 1 || rate < 0) {
                throw new IllegalArgumentException(
                        "batch size and partitions must be >= 1 and the rate >= 0");
            }
            if (window.isZero()
                    || window.isNegative()
                    || before.compareTo(window.multipliedBy(2)) < 0
                    || after.compareTo(window) < 0) {
                throw new IllegalArgumentException(
                        "the window must be positive, --before at least twice it and --after at"
                                + " least it");
            }
        }
    }

    /**
     * One window of labels.
     *
     * @param imagesPerSecond labels that arrived in the window, per second
     * @param p99Ms the 99th percentile, over the images sent in the window, from send to label
     * @param maxMs the slowest of them
     */
    record Window(double imagesPerSecond, double p99Ms, double maxMs) {}

    /**
     * What the run measured.
     *
     * @param rate images per second sent
     * @param switchSeconds from the deployment's write to the first label of the next model
     * @param oldModelAfterSwitch images labelled by the old model after the first label of the new
     *     one (the batches already running at the switch)
     * @param lost images sent and never labelled
     * @param duplicates labels beyond the first for an image
     */
    record Report(
            String model,
            String next,
            String device,
            int cores,
            String ompNumThreads,
            int batchSize,
            int partitions,
            double rate,
            double windowSeconds,
            int sent,
            int labelled,
            int lost,
            long duplicates,
            int byNextModel,
            int oldModelAfterSwitch,
            double switchSeconds,
            Window before,
            Window after,
            double loadAverageBefore,
            double loadAverageAfter) {

        double throughputRatio() {
            return after.imagesPerSecond() / before.imagesPerSecond();
        }

        double p99Ratio() {
            return after.p99Ms() / before.p99Ms();
        }

        String toTable() {
            StringBuilder out = new StringBuilder();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "model swap: %s -> %s on %s, %d cores, OMP_NUM_THREADS=%s, batch %d,"
                                    + " %d partitions, %.1f img/s sent%n",
                            model,
                            next,
                            device,
                            cores,
                            ompNumThreads,
                            batchSize,
                            partitions,
                            rate));
            String row = "%-34s %10s %10s %10s%n";
            out.append(String.format(Locale.ROOT, row, "", "img/s", "p99 ms", "max ms"));
            out.append(window(row, "before (" + seconds() + " s)", before));
            out.append(window(row, "after the deployment (" + seconds() + " s)", after));
            out.append(
                    String.format(
                            Locale.ROOT,
                            row,
                            "after / before",
                            String.format(Locale.ROOT, "%.2fx", throughputRatio()),
                            String.format(Locale.ROOT, "%.2fx", p99Ratio()),
                            ""));
            out.append(
                    String.format(
                            Locale.ROOT,
                            "switch: the next model's first label %.2f s after the deployment;"
                                    + " old-model labels after it: %d (batches already running)%n",
                            switchSeconds,
                            oldModelAfterSwitch));
            out.append(
                    String.format(
                            Locale.ROOT,
                            "images: %d sent, %d labelled (%d by the next model), %d lost, %d"
                                    + " duplicate labels%n",
                            sent,
                            labelled,
                            byNextModel,
                            lost,
                            duplicates));
            return out.toString();
        }

        private String seconds() {
            return String.format(Locale.ROOT, "%.0f", windowSeconds);
        }

        private static String window(String row, String name, Window w) {
            return String.format(
                    Locale.ROOT,
                    row,
                    name,
                    String.format(Locale.ROOT, "%.1f", w.imagesPerSecond()),
                    String.format(Locale.ROOT, "%.1f", w.p99Ms()),
                    String.format(Locale.ROOT, "%.1f", w.maxMs()));
        }

        String toJson() {
            return new BenchJson()
                    .field("tool", "inception-streams bench swap")
                    .field("model", model)
                    .field("next_model", next)
                    .field("device", device)
                    .field("cores", cores)
                    .field("omp_num_threads", ompNumThreads)
                    .field("batch_size", batchSize)
                    .field("partitions", partitions)
                    .field("rate_img_s", rate)
                    .field("window_s", windowSeconds)
                    .field("sent", sent)
                    .field("labelled", labelled)
                    .field("by_next_model", byNextModel)
                    .field("lost", lost)
                    .field("duplicates", duplicates)
                    .field("old_model_after_switch", oldModelAfterSwitch)
                    .field("switch_s", switchSeconds)
                    .field("before_img_s", before.imagesPerSecond())
                    .field("after_img_s", after.imagesPerSecond())
                    .field("after_over_before_img_s", throughputRatio())
                    .field("before_p99_ms", before.p99Ms())
                    .field("after_p99_ms", after.p99Ms())
                    .field("after_over_before_p99", p99Ratio())
                    .field("before_max_ms", before.maxMs())
                    .field("after_max_ms", after.maxMs())
                    .field("load_average_before", loadAverageBefore)
                    .field("load_average_after", loadAverageAfter)
                    .toString();
        }
    }

    private final Settings settings;
    private final PrintWriter log;

    public SwapBenchmark(Settings settings, PrintWriter log) {
        this.settings = settings;
        this.log = log;
    }

    /** Runs the swap and returns what it measured. */
    public Report run() throws Exception {
        double loadBefore = PipelineBenchmark.loadAverage();
        Path scratch = Files.createTempDirectory("inception-bench-swap");
        try {
            Target target = ClassifierBenchmark.bundleTarget(settings.bundle(), scratch);
            ModelBundle bundle = target.bundle();
            String next = settings.next() == null ? bundle.location() : settings.next();
            double rate = settings.rate() > 0 ? settings.rate() : steadyRate(target);
            int sent = (int) Math.ceil(rate * seconds(settings.before().plus(settings.after())));

            try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start();
                    EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry().start()) {
                kafka.createTopics(settings.partitions(), IMAGES, LABELS, DLQ);
                BenchService service =
                        new BenchService(
                                kafka.bootstrapServers(),
                                registry.url(),
                                bundle.location(),
                                settings.device(),
                                settings.batchSize(),
                                TOP_K,
                                settings.overrides(),
                                scratch);
                Map<String, Object> serde = service.serde();
                ClassifierConfig config =
                        service.config(
                                "swap",
                                IMAGES,
                                LABELS,
                                DLQ,
                                Map.of(ClassifierConfig.MODELS_TOPIC, MODELS));
                ModelDeployments deployments =
                        new ModelDeployments(
                                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                                serde,
                                MODELS);
                deployments.createIfMissing();
                BenchImages images = BenchImages.forInput(bundle.inputSpec());

                say(
                        "swap: %s, %d images at %.1f img/s; %s deployed after %.0f s",
                        target.label(), sent, rate, next, seconds(settings.before()));
                try (ClassifierService classifier =
                                ClassifierService.start(config, new SimpleMeterRegistry());
                        LabelWatch watch =
                                new LabelWatch(
                                        kafka.bootstrapServers(),
                                        LABELS,
                                        settings.partitions(),
                                        serde);
                        ImageFeed feed =
                                new ImageFeed(kafka.bootstrapServers(), serde, images, 0)) {
                    PipelineBenchmark.awaitRunning(classifier);
                    long start = System.nanoTime();
                    CompletableFuture<Void> feeding =
                            CompletableFuture.runAsync(
                                    () -> {
                                        try {
                                            feed.producePaced(IMAGES, "swap", sent, rate);
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt();
                                            throw new IllegalStateException(e);
                                        }
                                    });
                    TimeUnit.NANOSECONDS.sleep(
                            start + settings.before().toNanos() - System.nanoTime());
                    long deployed = System.nanoTime();
                    deployments.write(
                            ModelDeployments.of(next, NEXT_VERSION, DeploymentMode.ACTIVE));
                    say("swap: deployed %s as version %s", next, NEXT_VERSION);
                    feeding.get(settings.after().toSeconds() * 3 + 60, TimeUnit.SECONDS);
                    try {
                        watch.await(
                                sent,
                                Duration.ofSeconds(60).plus(settings.after()),
                                () -> PipelineBenchmark.running(classifier.state()));
                    } catch (TimeoutException e) {
                        say("swap: %s", e.getMessage());
                    }
                    return report(
                            target.label(), next, rate, sent, deployed, feed, watch, loadBefore);
                }
            }
        } finally {
            Utils.delete(scratch.toFile());
        }
    }

    private Report report(
            String model,
            String next,
            double rate,
            int sent,
            long deployed,
            ImageFeed feed,
            LabelWatch watch,
            double loadBefore) {
        long window = settings.window().toNanos();
        long firstNext = Long.MAX_VALUE;
        int byNext = 0;
        for (int i = 0; i < sent; i++) {
            LabelEvent label = watch.labelOf(ImageFeed.id("swap", i));
            if (label != null && NEXT_VERSION.contentEquals(label.getModel().getVersion())) {
                byNext++;
                firstNext = Math.min(firstNext, watch.arrivalOf(ImageFeed.id("swap", i)));
            }
        }
        int oldAfter = 0;
        for (int i = 0; i < sent; i++) {
            String id = ImageFeed.id("swap", i);
            LabelEvent label = watch.labelOf(id);
            if (label != null
                    && !NEXT_VERSION.contentEquals(label.getModel().getVersion())
                    && watch.arrivalOf(id) > firstNext) {
                oldAfter++;
            }
        }
        int labelled = watch.count();
        return new Report(
                model,
                next,
                settings.device(),
                Runtime.getRuntime().availableProcessors(),
                System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"),
                settings.batchSize(),
                settings.partitions(),
                rate,
                seconds(settings.window()),
                sent,
                labelled,
                sent - labelled,
                watch.records() - labelled,
                byNext,
                oldAfter,
                firstNext == Long.MAX_VALUE ? Double.NaN : (firstNext - deployed) / 1e9,
                window(deployed - window, deployed, sent, feed, watch),
                window(deployed, deployed + window, sent, feed, watch),
                loadBefore,
                PipelineBenchmark.loadAverage());
    }

    /** The labels that arrived in [from, to), and the latency of the images sent in it. */
    private Window window(long from, long to, int sent, ImageFeed feed, LabelWatch watch) {
        int arrived = 0;
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < sent; i++) {
            String id = ImageFeed.id("swap", i);
            Long arrival = watch.arrivalOf(id);
            Long sentAt = feed.sentAt(id);
            if (arrival != null && arrival >= from && arrival < to) {
                arrived++;
            }
            if (arrival != null && sentAt != null && sentAt >= from && sentAt < to) {
                millis.add((arrival - sentAt) / 1e6);
            }
        }
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Window(
                arrived / ((to - from) / 1e9),
                sorted.length == 0 ? Double.NaN : PipelineBenchmark.percentile(sorted, 0.99),
                sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
    }

    /**
     * 40% of the predictor's rate at the service's batch size, measured over three seconds: the
     * service keeps about 0.8 of the predictor on two cores, so this is about half its capacity,
     * the load the latency of {@code bench} is measured at.
     */
    private double steadyRate(Target target) throws Exception {
        say("swap: measuring the predictor at batch %d to size the rate", settings.batchSize());
        List<Measurement> measured =
                ClassifierBenchmark.measure(
                        target,
                        ClassifierBenchmark.Settings.defaults()
                                .withExecutions(List.of(Execution.CACHED_GRAPH))
                                .withDevice(settings.device())
                                .withBatchSizes(List.of(settings.batchSize()))
                                .withBatches(3, 3, 100_000, Duration.ofSeconds(3)));
        return measured.get(0).medianImagesPerSecond() * 0.4;
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private void say(String format, Object... args) {
        log.println("bench: " + String.format(Locale.ROOT, format, args));
        log.flush();
    }
}
