package io.inceptionstreams.cli.bench;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.inceptionstreams.model.bundle.BundleDescriptor;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.Execution;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.classify.TensorBatch;
import io.inceptionstreams.model.googlenet.GoogLeNet;
import io.inceptionstreams.model.preprocess.InputSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;

/**
 * Throughput of the batched {@link ImageClassifier} alone: random normalised tensors in, top-k out,
 * no decoding or preprocessing. For each batch size it runs warm-up batches, then timed batches
 * until both a minimum count and a minimum duration are reached, and reports the median images/s
 * with the spread of the per-batch figures.
 *
 * <p>When several {@link Execution}s are measured they run interleaved, batch by batch, so their
 * ratio is a same-run comparison even on a busy machine: absolute figures are only meaningful on an
 * idle one. {@code OMP_NUM_THREADS} (read by MXNet when it loads, so it can only be set from
 * outside the JVM) and the core count are recorded with every report.
 *
 * <p>Findings on a 2-core CPU, all as same-run ratios (224x224x3, 1000 classes, random weights):
 *
 * <ul>
 *   <li>The imperative GoogLeNet used to run the pools after the first inception module on oneDNN's
 *       reference kernel ({@code simple_nchw}, seen with {@code DNNL_VERBOSE=1}): DJL's concat is
 *       the numpy {@code _npi_concatenate}, whose plain NCHW output drops oneDNN's blocked layout.
 *       That is the "slow MXNet pooling". Concatenating with MXNet's {@code Concat} keeps the
 *       layout: 1.6-2.4x images/s, identical outputs.
 *   <li>Running the network as one cached graph ({@link Execution#CACHED_GRAPH}) on top of that:
 *       another 1.1-1.5x, also with alternating batch sizes; 2-2.8x over the original path.
 *   <li>See {@code bench/README.md} for the environment variables tried and torchvision's figures.
 * </ul>
 */
public final class ClassifierBenchmark {

    /** The ImageNet setting of the paper: 224x224 RGB, 1000 classes. */
    public static final InputSpec IMAGENET_INPUT =
            new InputSpec(
                    224,
                    224,
                    3,
                    new float[] {0.485f, 0.456f, 0.406f},
                    new float[] {0.229f, 0.224f, 0.225f});

    public static final int IMAGENET_CLASSES = 1000;

    /** Fallback when the {@code default} bundle is not on the classpath: 48x48 grayscale. */
    public static final InputSpec SMALL_INPUT =
            new InputSpec(48, 48, 1, new float[] {0.5f}, new float[] {0.25f});

    public static final int SMALL_CLASSES = 10;

    private ClassifierBenchmark() {}

    /**
     * What to measure and for how long.
     *
     * @param batchSizes images per batch, each measured in turn
     * @param executions how the classifier runs the network; several are measured interleaved
     * @param warmupBatches untimed batches per batch size and execution
     * @param minBatches timed batches at least
     * @param maxBatches timed batches at most
     * @param minDuration timed time at least, per batch size and execution
     * @param device {@code cpu}, {@code auto} or {@code gpu:N}
     * @param seed for the random input tensors
     */
    public record Settings(
            List<Integer> batchSizes,
            List<Execution> executions,
            int warmupBatches,
            int minBatches,
            int maxBatches,
            Duration minDuration,
            String device,
            long seed) {

        public Settings {
            batchSizes = List.copyOf(batchSizes);
            executions = List.copyOf(executions);
            if (batchSizes.isEmpty() || batchSizes.stream().anyMatch(b -> b < 1)) {
                throw new IllegalArgumentException("batch sizes must be >= 1: " + batchSizes);
            }
            if (executions.isEmpty()) {
                throw new IllegalArgumentException("at least one execution");
            }
            if (warmupBatches < 0 || minBatches < 1 || maxBatches < minBatches) {
                throw new IllegalArgumentException(
                        "need warm-up >= 0 and 1 <= min batches <= max batches");
            }
        }

        /** Batch sizes 1, 8 and 32, the default execution, 3 warm-up, 5-1000 batches, 5 s. */
        public static Settings defaults() {
            return new Settings(
                    List.of(1, 8, 32),
                    List.of(Execution.CACHED_GRAPH),
                    3,
                    5,
                    1000,
                    Duration.ofSeconds(5),
                    "cpu",
                    42);
        }

        public Settings withBatchSizes(List<Integer> sizes) {
            return new Settings(
                    sizes,
                    executions,
                    warmupBatches,
                    minBatches,
                    maxBatches,
                    minDuration,
                    device,
                    seed);
        }

        public Settings withExecutions(List<Execution> list) {
            return new Settings(
                    batchSizes,
                    list,
                    warmupBatches,
                    minBatches,
                    maxBatches,
                    minDuration,
                    device,
                    seed);
        }

        public Settings withBatches(int warmup, int min, int max, Duration duration) {
            return new Settings(batchSizes, executions, warmup, min, max, duration, device, seed);
        }

        public Settings withDevice(String name) {
            return new Settings(
                    batchSizes,
                    executions,
                    warmupBatches,
                    minBatches,
                    maxBatches,
                    minDuration,
                    name,
                    seed);
        }
    }

    /**
     * One batch size of one model under one execution.
     *
     * @param model what was measured (a label and the bundle's shape)
     * @param input {@code WxHxC}
     * @param classes output classes
     * @param execution how the network ran
     * @param batchSize images per batch
     * @param batches timed batches
     * @param medianImagesPerSecond batch size over the median batch time
     * @param minImagesPerSecond over the slowest batch
     * @param maxImagesPerSecond over the fastest batch
     * @param medianBatchMillis median time of one batch
     * @param spread (p90 - p10) / median of the batch times
     */
    public record Measurement(
            String model,
            String input,
            int classes,
            Execution execution,
            int batchSize,
            int batches,
            double medianImagesPerSecond,
            double minImagesPerSecond,
            double maxImagesPerSecond,
            double medianBatchMillis,
            double spread) {}

    /** Where the figures were taken: thread settings, cores, versions. */
    public record Environment(
            String ompNumThreads,
            int cores,
            String javaVersion,
            String djlVersion,
            String mxnetVersion,
            Map<String, String> threadingVariables) {

        /** For a chart's title: cores and MXNet threads. */
        public String summary() {
            return cores + " cores, OMP_NUM_THREADS=" + ompNumThreads;
        }

        public static Environment current() {
            Map<String, String> variables = new TreeMap<>();
            System.getenv()
                    .forEach(
                            (key, value) -> {
                                if (key.startsWith("OMP_")
                                        || key.startsWith("KMP_")
                                        || key.startsWith("MXNET_")
                                        || key.startsWith("DNNL_")
                                        || key.startsWith("ONEDNN_")
                                        || key.startsWith("MKL_")) {
                                    variables.put(key, value);
                                }
                            });
            Engine engine = Engine.getEngine("MXNet");
            return new Environment(
                    System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"),
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"),
                    Engine.getDjlVersion(),
                    engine.getVersion(),
                    variables);
        }
    }

    /** A whole run: its environment, its settings and every measurement. */
    public record Report(Environment environment, Settings settings, List<Measurement> results) {

        /** Fixed-width table, one line per measurement, with ratios to the first execution. */
        public String toTable() {
            StringBuilder out = new StringBuilder();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "ImageClassifier throughput: OMP_NUM_THREADS=%s, %d cores, DJL %s,"
                                    + " MXNet %s, Java %s%n",
                            environment.ompNumThreads(),
                            environment.cores(),
                            environment.djlVersion(),
                            environment.mxnetVersion(),
                            environment.javaVersion()));
            if (!environment.threadingVariables().isEmpty()) {
                out.append("environment: ").append(environment.threadingVariables()).append('\n');
            }
            String format = "%-34s %-13s %6s %8s %10s %10s %10s %9s %7s %8s%n";
            out.append(
                    String.format(
                            Locale.ROOT,
                            format,
                            "model",
                            "execution",
                            "batch",
                            "batches",
                            "img/s med",
                            "img/s min",
                            "img/s max",
                            "ms/batch",
                            "spread",
                            "vs " + shortName(settings.executions().get(0))));
            for (Measurement m : results) {
                Double ratio = ratioToFirst(m);
                out.append(
                        String.format(
                                Locale.ROOT,
                                format,
                                m.model(),
                                shortName(m.execution()),
                                m.batchSize(),
                                m.batches(),
                                String.format(Locale.ROOT, "%.2f", m.medianImagesPerSecond()),
                                String.format(Locale.ROOT, "%.2f", m.minImagesPerSecond()),
                                String.format(Locale.ROOT, "%.2f", m.maxImagesPerSecond()),
                                String.format(Locale.ROOT, "%.1f", m.medianBatchMillis()),
                                String.format(Locale.ROOT, "%.0f%%", 100 * m.spread()),
                                ratio == null ? "" : String.format(Locale.ROOT, "%.2fx", ratio)));
            }
            return out.toString();
        }

        /** The median images/s of {@code m} over that of the first execution, same model/batch. */
        public Double ratioToFirst(Measurement m) {
            Execution first = settings.executions().get(0);
            if (m.execution() == first) {
                return null;
            }
            return results.stream()
                    .filter(
                            o ->
                                    o.execution() == first
                                            && o.model().equals(m.model())
                                            && o.batchSize() == m.batchSize())
                    .findFirst()
                    .map(o -> m.medianImagesPerSecond() / o.medianImagesPerSecond())
                    .orElse(null);
        }

        /** The report as one line of JSON. */
        public String toJson() {
            BenchJson env = new BenchJson();
            environment.threadingVariables().forEach(env::field);
            List<String> measured = new ArrayList<>();
            for (Measurement m : results) {
                Double ratio = ratioToFirst(m);
                measured.add(
                        new BenchJson()
                                .field("model", m.model())
                                .field("input", m.input())
                                .field("classes", m.classes())
                                .field("execution", shortName(m.execution()))
                                .field("batch_size", m.batchSize())
                                .field("batches", m.batches())
                                .field("images_per_second", m.medianImagesPerSecond())
                                .field("images_per_second_min", m.minImagesPerSecond())
                                .field("images_per_second_max", m.maxImagesPerSecond())
                                .field("batch_ms", m.medianBatchMillis())
                                .field("spread", m.spread())
                                .field(
                                        "ratio_to_first_execution",
                                        ratio == null ? Double.NaN : ratio)
                                .toString());
            }
            return new BenchJson()
                    .field("tool", "ClassifierBenchmark")
                    .field("omp_num_threads", environment.ompNumThreads())
                    .field("cores", environment.cores())
                    .field("java", environment.javaVersion())
                    .field("djl", environment.djlVersion())
                    .field("mxnet", environment.mxnetVersion())
                    .raw("env", env.toString())
                    .field("warmup_batches", settings.warmupBatches())
                    .field("min_batches", settings.minBatches())
                    .field("min_seconds", settings.minDuration().toMillis() / 1000.0)
                    .array("results", measured)
                    .toString();
        }
    }

    /** What to measure: a label for the table and a bundle. */
    public record Target(String label, ModelBundle bundle) {}

    /**
     * Measures one bundle at every batch size and execution of {@code settings}: the library entry
     * point for the CLI's commands.
     */
    public static List<Measurement> measure(Target target, Settings settings)
            throws IOException, MalformedModelException {
        ModelBundle bundle = target.bundle();
        InputSpec spec = bundle.inputSpec();
        String input = spec.width() + "x" + spec.height() + "x" + spec.channels();
        int classes = bundle.descriptor().numClasses();
        List<Execution> executions = settings.executions();
        List<ImageClassifier> classifiers = new ArrayList<>();
        try {
            for (Execution execution : executions) {
                classifiers.add(ImageClassifier.open(bundle, settings.device(), 5, execution));
            }
            List<Measurement> results = new ArrayList<>();
            Random random = new Random(settings.seed());
            for (int batchSize : settings.batchSizes()) {
                TensorBatch batch =
                        new TensorBatch(randomImages(batchSize, spec, random), batchSize);
                for (int w = 0; w < settings.warmupBatches(); w++) {
                    for (ImageClassifier classifier : classifiers) {
                        classifier.classify(batch);
                    }
                }
                List<List<Long>> nanos = new ArrayList<>();
                classifiers.forEach(c -> nanos.add(new ArrayList<>()));
                long timed = 0;
                int batches = 0;
                while (batches < settings.maxBatches()
                        && (batches < settings.minBatches()
                                || timed < settings.minDuration().toNanos() * classifiers.size())) {
                    for (int c = 0; c < classifiers.size(); c++) {
                        long start = System.nanoTime();
                        classifiers.get(c).classify(batch);
                        long took = System.nanoTime() - start;
                        nanos.get(c).add(took);
                        timed += took;
                    }
                    batches++;
                }
                for (int c = 0; c < classifiers.size(); c++) {
                    results.add(
                            summarise(
                                    target.label(),
                                    input,
                                    classes,
                                    executions.get(c),
                                    batchSize,
                                    nanos.get(c)));
                }
            }
            return results;
        } finally {
            classifiers.forEach(ImageClassifier::close);
        }
    }

    /** Measures every target and wraps the results with the environment. */
    public static Report run(List<Target> targets, Settings settings)
            throws IOException, MalformedModelException {
        List<Measurement> results = new ArrayList<>();
        for (Target target : targets) {
            results.addAll(measure(target, settings));
        }
        return new Report(Environment.current(), settings, results);
    }

    private static Measurement summarise(
            String model,
            String input,
            int classes,
            Execution execution,
            int batchSize,
            List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        double median = percentile(sorted, 0.5);
        double spread = (percentile(sorted, 0.9) - percentile(sorted, 0.1)) / median;
        return new Measurement(
                model,
                input,
                classes,
                execution,
                batchSize,
                sorted.length,
                batchSize * 1e9 / median,
                batchSize * 1e9 / sorted[sorted.length - 1],
                batchSize * 1e9 / sorted[0],
                median / 1e6,
                spread);
    }

    /** Linear interpolation between the closest ranks. */
    private static double percentile(long[] sorted, double q) {
        double rank = q * (sorted.length - 1);
        int low = (int) Math.floor(rank);
        int high = (int) Math.ceil(rank);
        return sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
    }

    /** Normalised images: standard normal floats, what a preprocessor's output looks like. */
    static float[] randomImages(int count, InputSpec spec, Random random) {
        float[] data = new float[count * spec.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return data;
    }

    /**
     * Writes a bundle of a GoogLeNet with DJL's default random initialisation (Xavier weights, zero
     * biases) for {@code spec} and {@code classes}, and opens it.
     */
    public static ModelBundle randomBundle(Path dir, String name, InputSpec spec, int classes)
            throws IOException {
        GoogLeNet network =
                GoogLeNet.builder()
                        .setNumClasses(classes)
                        .optInputChannels(spec.channels())
                        .build();
        List<String> labels = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            labels.add("class-" + c);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            network.initialize(
                    manager,
                    DataType.FLOAT32,
                    new Shape(1, spec.channels(), spec.height(), spec.width()));
            BundleDescriptor descriptor =
                    new BundleDescriptor(
                            name,
                            "0.0.0-random",
                            BundleDescriptor.GOOGLENET,
                            spec,
                            classes,
                            false,
                            "float32");
            ModelBundle.write(dir, descriptor, labels, network, new Properties());
        }
        return ModelBundle.open(dir.toString());
    }

    /** The ImageNet-shaped random-weights target, written under {@code dir}. */
    public static Target imagenetTarget(Path dir) throws IOException {
        return new Target(
                "random 224x224x3/1000",
                randomBundle(dir, "imagenet-random", IMAGENET_INPUT, IMAGENET_CLASSES));
    }

    /**
     * A target for a bundle location; {@code default} falls back to a random 48x48x1, 10-class
     * bundle under {@code scratch} when the classpath has no default bundle.
     */
    public static Target bundleTarget(String location, Path scratch) throws IOException {
        try {
            ModelBundle bundle = ModelBundle.open(location);
            return new Target(label(location, bundle), bundle);
        } catch (java.io.FileNotFoundException e) {
            if (!location.equals("default")) {
                throw e;
            }
            ModelBundle bundle = randomBundle(scratch, "small-random", SMALL_INPUT, SMALL_CLASSES);
            return new Target("random 48x48x1/10 (no default)", bundle);
        }
    }

    private static String label(String location, ModelBundle bundle) {
        InputSpec spec = bundle.inputSpec();
        String name = location.equals("default") ? "default" : Path.of(location).getFileName() + "";
        if (location.startsWith("classpath:")) {
            name = location.substring(location.lastIndexOf('/') + 1);
        }
        return String.format(
                Locale.ROOT,
                "%s %dx%dx%d/%d",
                name,
                spec.width(),
                spec.height(),
                spec.channels(),
                bundle.descriptor().numClasses());
    }

    private static String shortName(Execution execution) {
        return execution.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Execution parseExecution(String name) {
        return Execution.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
