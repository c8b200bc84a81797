package io.inceptionstreams.cli.bench;

import io.inceptionstreams.cli.bench.ClassifierBenchmark.Measurement;
import io.inceptionstreams.cli.bench.ClassifierBenchmark.Target;
import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.Devices;
import io.inceptionstreams.model.classify.Execution;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.preprocess.InputSpec;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.registry.server.EmbeddedSchemaRegistry;
import io.inceptionstreams.streams.ClassifierService;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.engine.InferenceEngine;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.inceptionstreams.streams.topology.ClassifierTopology;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Measures, in one run on one machine, the batched predictor alone, the whole service on a real
 * in-process broker, the naive one-predict-per-record topology and, optionally, a peer pipeline run
 * as a child process against the same broker, registry and images.
 *
 * <p>Every pipeline reads the same pre-produced topic from its start, so no producer shares the
 * measurement, and is timed the same way: by a consumer of its labels topic, over the labels after
 * a warm-up tenth (see {@link BenchReport.Throughput}). Latency is measured separately, on the warm
 * service, with images sent at half the throughput just measured.
 */
public final class PipelineBenchmark {

    static final String IMAGES = "bench-images";
    static final String LABELS = "bench-labels";
    static final String WARMUP_LABELS = "bench-warmup-labels";
    static final String DLQ = "bench-images-dlq";
    static final String NAIVE_LABELS = "bench-naive-labels";
    static final String PEER_LABELS = "bench-peer-labels";
    static final String LATENCY_IMAGES = "bench-latency-images";
    static final String LATENCY_LABELS = "bench-latency-labels";
    static final String LATENCY_DLQ = "bench-latency-images-dlq";

    private static final int TOP_K = 5;

    /**
     * What to run.
     *
     * @param imagenetShape measure a random-weights 224x224x3/1000 GoogLeNet instead of {@code
     *     bundle}
     * @param bundle the bundle location otherwise
     * @param batchSize the service's max.batch.size and the predictor's batch
     * @param sweep further predictor batch sizes
     * @param images images per pipeline run, or 0 for about {@code duration} of the predictor
     * @param partitions of every topic
     * @param duration timed seconds of the predictor at {@code batchSize} (a third of it per other
     *     sweep point), the target length of a pipeline run and of the latency run
     * @param device cpu, auto or gpu:N
     * @param naive whether to run the naive topology
     * @param peerCommand a peer pipeline to run, or null
     * @param peerTimeout how long the peer may take
     * @param overrides extra service configuration (ClassifierConfig keys, kafka.*, serde.*)
     */
    public record Settings(
            boolean imagenetShape,
            String bundle,
            int batchSize,
            List<Integer> sweep,
            int images,
            int partitions,
            Duration duration,
            String device,
            boolean naive,
            String peerCommand,
            Duration peerTimeout,
            Map<String, String> overrides) {

        public Settings {
            sweep = List.copyOf(sweep);
            overrides = Map.copyOf(overrides);
            if (batchSize < 1 || partitions < 1 || images < 0) {
                throw new IllegalArgumentException(
                        "batch size and partitions must be >= 1 and images >= 0");
            }
        }
    }

    private final Settings settings;
    private final PrintWriter log;

    public PipelineBenchmark(Settings settings, PrintWriter log) {
        this.settings = settings;
        this.log = log;
    }

    /** Runs every measurement and returns the report. */
    public BenchReport run() throws Exception {
        long started = System.nanoTime();
        double loadBefore = loadAverage();
        Path scratch = Files.createTempDirectory("inception-bench");
        try {
            Target target =
                    settings.imagenetShape()
                            ? ClassifierBenchmark.imagenetTarget(scratch.resolve("imagenet"))
                            : ClassifierBenchmark.bundleTarget(
                                    settings.bundle(), scratch.resolve("small"));
            ModelBundle bundle = target.bundle();
            InputSpec spec = bundle.inputSpec();
            String device = Devices.resolve(settings.device()).toString();
            int batch = settings.batchSize();

            say("predictor: %s, batch sweep %s", target.label(), sweepSizes());
            List<Measurement> sweep = predictorSweep(target);
            Measurement predictor =
                    sweep.stream().filter(m -> m.batchSize() == batch).findFirst().orElseThrow();
            double predictorRate = predictor.medianImagesPerSecond();
            double seconds = settings.duration().toMillis() / 1000.0;
            int images =
                    settings.images() > 0
                            ? settings.images()
                            : (int)
                                    Math.min(
                                            20_000,
                                            Math.max(
                                                    Math.max(200, 10 * batch),
                                                    predictorRate * seconds));

            try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start();
                    EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry().start()) {
                kafka.createTopics(
                        settings.partitions(),
                        IMAGES,
                        LABELS,
                        WARMUP_LABELS,
                        DLQ,
                        NAIVE_LABELS,
                        PEER_LABELS,
                        LATENCY_IMAGES,
                        LATENCY_LABELS,
                        LATENCY_DLQ);
                BenchService service =
                        new BenchService(
                                kafka.bootstrapServers(),
                                registry.url(),
                                bundle.location(),
                                settings.device(),
                                batch,
                                TOP_K,
                                settings.overrides(),
                                scratch);
                BenchImages encoded = BenchImages.forInput(spec);
                Runner runner = new Runner(kafka, registry, service, encoded, bundle, images);

                say("producing %d images (%s) to %s", images, encoded.contentType(), IMAGES);
                try (ImageFeed feed = runner.feed(20)) {
                    feed.produceAll(IMAGES, "img", images);
                }

                PipelineRun pipeline =
                        runner.pipeline(predictorRate, predictor.medianBatchMillis());
                BenchReport.Throughput naive = null;
                if (settings.naive()) {
                    double batchOne =
                            sweep.stream()
                                    .filter(m -> m.batchSize() == 1)
                                    .mapToDouble(Measurement::medianImagesPerSecond)
                                    .findFirst()
                                    .orElse(predictorRate / batch);
                    int naiveImages =
                            (int)
                                    Math.min(
                                            images,
                                            Math.max(Math.min(images, 100), batchOne * seconds));
                    naive = runner.naive(naiveImages, batchOne);
                }
                BenchReport.Throughput peer = null;
                if (settings.peerCommand() != null) {
                    peer = runner.peer(spec, bundle.descriptor().numClasses());
                }
                double bound =
                        maxBatchDelayMs()
                                + commitWaitMs(settings.overrides())
                                + 3 * predictor.medianBatchMillis();
                BenchReport.Latency latency = pipeline.latency().withBound(bound);
                return new BenchReport(
                        target.label(),
                        spec.width() + "x" + spec.height() + "x" + spec.channels(),
                        bundle.descriptor().numClasses(),
                        device,
                        Runtime.getRuntime().availableProcessors(),
                        System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"),
                        batch,
                        maxBatchDelayMs(),
                        settings.partitions(),
                        sweep,
                        predictor,
                        pipeline.throughput(),
                        pipeline.meanBatchSize(),
                        naive,
                        latency,
                        peer,
                        settings.peerCommand(),
                        loadBefore,
                        loadAverage(),
                        (System.nanoTime() - started) / 1e9);
            }
        } finally {
            Utils.delete(scratch.toFile());
        }
    }

    /** The service's max.batch.delay.ms, default or overridden. */
    private long maxBatchDelayMs() {
        return ClassifierConfig.of(settings.overrides()).maxBatchDelay().toMillis();
    }

    /**
     * How long a written label may wait for its transaction's commit before a {@code
     * read_committed} consumer sees it: the effective {@code commit.interval.ms} under exactly-once
     * (Kafka Streams' 100 ms unless overridden), nothing under at-least-once.
     */
    static long commitWaitMs(Map<String, String> overrides) {
        ClassifierConfig config = ClassifierConfig.of(overrides);
        if (config.processingGuarantee().equals(StreamsConfig.AT_LEAST_ONCE)) {
            return 0;
        }
        return new StreamsConfig(ClassifierTopology.streamsProperties(config))
                .getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    }

    private List<Integer> sweepSizes() {
        TreeSet<Integer> sizes = new TreeSet<>(settings.sweep());
        sizes.add(1);
        sizes.add(settings.batchSize());
        return List.copyOf(sizes);
    }

    /** The predictor at every sweep size, {@code duration} at the service's batch size. */
    private List<Measurement> predictorSweep(Target target) throws Exception {
        ClassifierBenchmark.Settings base =
                ClassifierBenchmark.Settings.defaults()
                        .withExecutions(List.of(Execution.CACHED_GRAPH))
                        .withDevice(settings.device());
        List<Integer> others =
                sweepSizes().stream().filter(b -> b != settings.batchSize()).toList();
        List<Measurement> results = new ArrayList<>();
        results.addAll(
                ClassifierBenchmark.measure(
                        target,
                        base.withBatchSizes(List.of(settings.batchSize()))
                                .withBatches(3, 3, 100_000, settings.duration())));
        if (!others.isEmpty()) {
            results.addAll(
                    ClassifierBenchmark.measure(
                            target,
                            base.withBatchSizes(others)
                                    .withBatches(2, 3, 100_000, settings.duration().dividedBy(3))));
        }
        results.sort(Comparator.comparingInt(Measurement::batchSize));
        return results;
    }

    private record PipelineRun(
            BenchReport.Throughput throughput, double meanBatchSize, LatencyRun latency) {}

    /** Latency samples before the bound is known. */
    private record LatencyRun(int images, double rate, double p50, double p99, double max) {
        BenchReport.Latency withBound(double bound) {
            return new BenchReport.Latency(images, rate, p50, p99, max, bound);
        }
    }

    /** The broker, registry and images shared by every pipeline run. */
    private final class Runner {
        private final EmbeddedKafkaCluster kafka;
        private final EmbeddedSchemaRegistry registry;
        private final BenchService service;
        private final Map<String, Object> serde;
        private final BenchImages images;
        private final ModelBundle bundle;
        private final int count;

        Runner(
                EmbeddedKafkaCluster kafka,
                EmbeddedSchemaRegistry registry,
                BenchService service,
                BenchImages images,
                ModelBundle bundle,
                int count) {
            this.kafka = kafka;
            this.registry = registry;
            this.service = service;
            this.serde = service.serde();
            this.images = images;
            this.bundle = bundle;
            this.count = count;
        }

        ImageFeed feed(int lingerMs) {
            return new ImageFeed(kafka.bootstrapServers(), serde, images, lingerMs);
        }

        LabelWatch watch(String topic) {
            return new LabelWatch(kafka.bootstrapServers(), topic, settings.partitions(), serde);
        }

        ClassifierConfig config(String name, String imagesTopic, String labelsTopic, String dlq)
                throws IOException {
            return service.config(name, imagesTopic, labelsTopic, dlq, Map.of());
        }

        /** The service: throughput on the pre-produced topic, then latency at half of it. */
        PipelineRun pipeline(double predictorRate, double predictorBatchMs) throws Exception {
            ClassifierConfig config = config("pipeline", IMAGES, LABELS, DLQ);
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            ClassifierMetrics metrics = new ClassifierMetrics(meters);
            say(
                    "pipeline: the service on %d partitions, until %d labels",
                    settings.partitions(), count);
            try (InferenceEngine engine = InferenceEngine.open(config, metrics)) {
                warmUp(engine, metrics, predictorRate);
                Timer inference = meters.find("inception.inference").timer();
                DistributionSummary batches = meters.find("inception.batch.size").summary();
                long batchesBefore = batches.count();
                double imagesBefore = batches.totalAmount();
                double inferenceSecondsBefore = inference.totalTime(TimeUnit.SECONDS);
                BenchReport.Throughput throughput;
                try (LabelWatch watch = watch(LABELS)) {
                    long start = System.nanoTime();
                    try (ClassifierService service =
                            ClassifierService.start(config, engine, metrics)) {
                        watch.await(
                                count,
                                timeout(count, predictorRate),
                                () -> running(service.state()));
                    }
                    throughput = throughput(watch, count, start);
                }
                // The timed run's batches only, without the warm-up's.
                long timedBatches = batches.count() - batchesBefore;
                double meanBatch = (batches.totalAmount() - imagesBefore) / timedBatches;
                double inferenceSeconds =
                        inference.totalTime(TimeUnit.SECONDS) - inferenceSecondsBefore;
                // Where the time went: a model slower per batch than alone means the rest of the
                // pipeline competes with it for the cores; a model idle part of the run means
                // the pipeline does not feed it fast enough.
                double inferenceMs = 1000 * inferenceSeconds / timedBatches;
                double busy =
                        inferenceSeconds
                                / (throughput.totalSeconds() - throughput.firstLabelSeconds());
                say(
                        "pipeline: %.1f img/s, mean batch %.1f, %.1f ms per batch in the model"
                                + " (the predictor alone: %.1f ms at batch %d), model busy %.0f%%"
                                + " from first to last label",
                        throughput.imagesPerSecond(),
                        meanBatch,
                        inferenceMs,
                        predictorBatchMs,
                        settings.batchSize(),
                        100 * busy);

                double rate = throughput.imagesPerSecond() / 2;
                int sent = (int) Math.max(20, rate * settings.duration().toMillis() / 1000.0);
                ClassifierConfig latencyConfig =
                        config("latency", LATENCY_IMAGES, LATENCY_LABELS, LATENCY_DLQ);
                say("latency: %d images at %.1f img/s", sent, rate);
                LatencyRun latency;
                try (LabelWatch watch = watch(LATENCY_LABELS);
                        ImageFeed feed = feed(0);
                        ClassifierService service =
                                ClassifierService.start(latencyConfig, engine, metrics)) {
                    awaitRunning(service);
                    feed.producePaced(LATENCY_IMAGES, "lat", sent, rate);
                    watch.await(sent, timeout(sent, rate), () -> running(service.state()));
                    double[] millis = new double[sent - sent / 10];
                    for (int i = sent / 10; i < sent; i++) {
                        String id = ImageFeed.id("lat", i);
                        millis[i - sent / 10] = (watch.arrivalOf(id) - feed.sentAt(id)) / 1e6;
                    }
                    double[] inside = new double[millis.length];
                    double[] queue = new double[millis.length];
                    for (int i = sent / 10; i < sent; i++) {
                        LabelEvent label = watch.labelOf(ImageFeed.id("lat", i));
                        inside[i - sent / 10] =
                                label.getClassifiedAt().toEpochMilli()
                                        - label.getEventTime().toEpochMilli();
                        queue[i - sent / 10] = label.getQueueMs();
                    }
                    Arrays.sort(inside);
                    Arrays.sort(queue);
                    say(
                            "latency: inside the service (record timestamp to forward) p50 %.1f"
                                    + " p99 %.1f ms; engine queue p50 %.1f p99 %.1f ms",
                            percentile(inside, 0.5),
                            percentile(inside, 0.99),
                            percentile(queue, 0.5),
                            percentile(queue, 0.99));
                    Arrays.sort(millis);
                    latency =
                            new LatencyRun(
                                    millis.length,
                                    rate,
                                    percentile(millis, 0.50),
                                    percentile(millis, 0.99),
                                    millis[millis.length - 1]);
                }
                say("latency: p50 %.1f ms, p99 %.1f ms", latency.p50(), latency.p99());
                return new PipelineRun(throughput, meanBatch, latency);
            }
        }

        /**
         * A first instance of the service over the pre-produced images, on the same engine, so that
         * the timed run measures a warm JVM as the predictor's warm-up batches do for the model:
         * the JIT compiles the broker's, Kafka Streams' and Avro's paths over the first thousands
         * of records, and that compilation took half a core away from a cold run.
         */
        private void warmUp(InferenceEngine engine, ClassifierMetrics metrics, double rate)
                throws Exception {
            int warm = count;
            say("pipeline: warm-up, the %d images through a first instance", warm);
            try (LabelWatch watch = watch(WARMUP_LABELS);
                    ClassifierService service =
                            ClassifierService.start(
                                    config("warmup", IMAGES, WARMUP_LABELS, DLQ),
                                    engine,
                                    metrics)) {
                watch.await(warm, timeout(warm, rate), () -> running(service.state()));
            }
        }

        /** The naive topology: its own classifier, called per record on the stream thread. */
        BenchReport.Throughput naive(int images, double batchOneRate) throws Exception {
            ClassifierConfig config = config("naive", IMAGES, NAIVE_LABELS, DLQ);
            say("naive: predict per record in mapValues, until %d labels", images);
            try (ImageClassifier classifier =
                            ImageClassifier.open(bundle, settings.device(), TOP_K);
                    LabelWatch watch = watch(NAIVE_LABELS)) {
                long start = System.nanoTime();
                KafkaStreams streams =
                        new KafkaStreams(
                                NaiveTopology.build(
                                        IMAGES, NAIVE_LABELS, config.serdeConfig(), classifier),
                                ClassifierTopology.streamsProperties(config));
                try {
                    streams.start();
                    watch.await(
                            images, timeout(images, batchOneRate), () -> running(streams.state()));
                } finally {
                    streams.close(Duration.ofSeconds(30));
                }
                BenchReport.Throughput throughput = throughput(watch, images, start);
                say("naive: %.1f img/s", throughput.imagesPerSecond());
                return throughput;
            }
        }

        /** The peer command against the same broker, registry and images topic. */
        BenchReport.Throughput peer(InputSpec spec, int classes) throws Exception {
            Map<String, String> env = new HashMap<>();
            env.put("BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            env.put("SCHEMA_REGISTRY_URL", registry.url());
            env.put("IMAGES_TOPIC", IMAGES);
            env.put("LABELS_TOPIC", PEER_LABELS);
            env.put("GROUP_ID", "bench-peer-" + UUID.randomUUID());
            env.put("IMAGE_COUNT", Integer.toString(count));
            env.put("BATCH_SIZE", Integer.toString(settings.batchSize()));
            env.put("MAX_BATCH_DELAY_MS", Long.toString(maxBatchDelayMs()));
            env.put("TOP_K", Integer.toString(TOP_K));
            env.put("INPUT_WIDTH", Integer.toString(spec.width()));
            env.put("INPUT_HEIGHT", Integer.toString(spec.height()));
            env.put("INPUT_CHANNELS", Integer.toString(spec.channels()));
            env.put("INPUT_MEAN", join(spec.mean()));
            env.put("INPUT_STD", join(spec.std()));
            env.put("CLASSES", Integer.toString(classes));
            env.put("LABEL_SCHEMA", LabelEvent.getClassSchema().toString());
            env.put(
                    "THREADS",
                    System.getenv()
                            .getOrDefault(
                                    "OMP_NUM_THREADS",
                                    Integer.toString(Runtime.getRuntime().availableProcessors())));
            say("peer: %s, until %d labels on %s", settings.peerCommand(), count, PEER_LABELS);
            try (LabelWatch watch = watch(PEER_LABELS)) {
                long start = System.nanoTime();
                try (PeerProcess peer = new PeerProcess(settings.peerCommand(), env, log)) {
                    try {
                        watch.await(count, settings.peerTimeout(), peer::isAlive);
                    } catch (IllegalStateException | TimeoutException e) {
                        throw new IllegalStateException(
                                "peer command failed (exit code "
                                        + peer.exitCode()
                                        + "): "
                                        + e.getMessage(),
                                e);
                    }
                }
                BenchReport.Throughput throughput = throughput(watch, count, start);
                say("peer: %.1f img/s", throughput.imagesPerSecond());
                return throughput;
            }
        }
    }

    static boolean running(KafkaStreams.State state) {
        return state != KafkaStreams.State.ERROR
                && state != KafkaStreams.State.NOT_RUNNING
                && state != KafkaStreams.State.PENDING_ERROR;
    }

    static void awaitRunning(ClassifierService service) throws InterruptedException {
        if (!service.awaitRunning(Duration.ofSeconds(60))) {
            throw new IllegalStateException("service did not reach RUNNING: " + service.state());
        }
    }

    /** Generous: start-up plus five times what {@code images} should take at {@code rate}. */
    private static Duration timeout(int images, double rate) {
        return Duration.ofSeconds(120).plusMillis((long) (5000.0 * images / Math.max(rate, 0.1)));
    }

    private static BenchReport.Throughput throughput(LabelWatch watch, int images, long start) {
        int warmup = Math.max(1, images / 10);
        double window = (watch.arrival(images) - watch.arrival(warmup)) / 1e9;
        return new BenchReport.Throughput(
                images,
                warmup,
                (images - warmup) / window,
                (watch.arrival(1) - start) / 1e9,
                (watch.arrival(images) - start) / 1e9);
    }

    static double percentile(double[] sorted, double q) {
        double rank = q * (sorted.length - 1);
        int low = (int) Math.floor(rank);
        int high = (int) Math.ceil(rank);
        return sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
    }

    private static String join(float[] values) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            out.append(i == 0 ? "" : ",").append(values[i]);
        }
        return out.toString();
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private void say(String format, Object... args) {
        log.println("bench: " + String.format(Locale.ROOT, format, args));
        log.flush();
    }
}
