package io.inceptionstreams.cli.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code inception-streams bench}: the service against the bare model and against the designs a
 * user would pick instead, in one run on one machine (see {@link PipelineBenchmark}).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        subcommands = {
            PredictorBenchCommand.class,
            SwapBenchCommand.class,
            TrainBenchCommand.class
        },
        sortOptions = false,
        description = {
            "Measures, in one run: the batched predictor alone on preprocessed tensors (with a"
                    + " batch-size sweep), the whole service on an in-process Kafka broker and"
                    + " schema registry (images pre-produced; timed by a consumer of the labels),"
                    + " its end-to-end latency at half that rate, the naive topology (one predict"
                    + " per record in mapValues), and optionally a peer pipeline command against"
                    + " the same broker and images.",
            "Set OMP_NUM_THREADS (e.g. to the core count) before the JVM starts: MXNet reads it"
                    + " when it loads."
        })
public final class BenchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--imagenet-shape",
            description =
                    "Measure GoogLeNet at 224x224x3 with 1000 classes and random weights (images:"
                            + " 256x256 RGB JPEGs) instead of --bundle.")
    boolean imagenetShape;

    @Option(
            names = "--bundle",
            paramLabel = "LOCATION",
            defaultValue = "default",
            description =
                    "Model bundle: a directory, classpath:folder or default"
                            + " (default: ${DEFAULT-VALUE}).")
    String bundle;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "16",
            description =
                    "The service's max.batch.size and the predictor's batch size (default:"
                            + " ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--sweep",
            paramLabel = "LIST",
            split = ",",
            defaultValue = "1,4,32,64",
            description =
                    "Further predictor batch sizes, comma-separated; 1 is always measured"
                            + " (default: ${DEFAULT-VALUE}).")
    List<Integer> sweep;

    @Option(
            names = "--images",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Images per pipeline run; 0 for about --duration seconds of the predictor's"
                            + " rate, 200 to 20000 (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "4",
            description = "Partitions of every topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = {"--duration", "--min-seconds"},
            paramLabel = "SECONDS",
            defaultValue = "10",
            description =
                    "Timed seconds of the predictor at --batch-size (a third per other sweep"
                            + " point), the target length of the pipeline and latency runs"
                            + " (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(
            names = "--device",
            defaultValue = "auto",
            description = "auto, cpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--no-naive", description = "Skip the naive topology.")
    boolean noNaive;

    @Option(
            names = "--peer-command",
            paramLabel = "CMD",
            description =
                    "A peer pipeline, run with /bin/sh -c after the images are produced; it reads"
                            + " BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, IMAGES_TOPIC, LABELS_TOPIC,"
                            + " GROUP_ID, IMAGE_COUNT, BATCH_SIZE, MAX_BATCH_DELAY_MS, TOP_K,"
                            + " INPUT_WIDTH/HEIGHT/CHANNELS/MEAN/STD, CLASSES, LABEL_SCHEMA and"
                            + " THREADS from its environment and is timed like the service.")
    String peerCommand;

    @Option(
            names = "--peer-timeout",
            paramLabel = "SECONDS",
            defaultValue = "600",
            description = "How long the peer may take (default: ${DEFAULT-VALUE}).")
    long peerTimeout;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description =
                    "Service configuration for the pipeline runs (a configuration key, kafka.* or"
                            + " serde.*), repeatable, e.g. --set max.batch.delay.ms=10.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--json", description = "Also print the report as one JSON object, last line.")
    boolean json;

    @Option(
            names = "--plot",
            paramLabel = "FILE",
            description = "Also draw the predictor's batch-size sweep as a PNG image.")
    Path plot;

    public BenchCommand() {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // DJL must never try the network: the bench runs on machines that have none.
        System.setProperty("offline", System.getProperty("offline", "true"));
        if (System.getenv("OMP_NUM_THREADS") == null) {
            err.println(
                    "bench: OMP_NUM_THREADS is not set; MXNet picks its own thread count (set it,"
                            + " e.g. to the core count, for figures you can compare)");
        }
        PipelineBenchmark.Settings settings;
        try {
            settings =
                    new PipelineBenchmark.Settings(
                            imagenetShape,
                            bundle,
                            batchSize,
                            sweep,
                            images,
                            partitions,
                            Duration.ofMillis((long) (duration * 1000)),
                            device,
                            !noNaive,
                            peerCommand,
                            Duration.ofSeconds(peerTimeout),
                            overrides);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            BenchReport report = new PipelineBenchmark(settings, err).run();
            out.print(report.toTable());
            if (plot != null) {
                SweepPlot.draw(report.sweep(), report.environment(), plot);
                out.println("batch-size sweep drawn to " + plot);
            }
            if (json) {
                out.println(report.toJson());
            }
            out.flush();
            return 0;
        } catch (Exception e) {
            printFailure(err, e);
            return 1;
        }
    }

    /** A failed run: the exception and its causes, one line each. */
    static void printFailure(PrintWriter err, Exception e) {
        err.println("bench failed: " + e);
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            err.println("  caused by: " + cause);
        }
        err.flush();
    }
}
