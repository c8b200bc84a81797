package io.inceptionstreams.cli.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code inception-streams bench swap}: what switching the model costs the images flowing through
 * one instance (see {@link SwapBenchmark}).
 */
@Command(
        name = "swap",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Feeds one instance of the service at a steady rate on an in-process broker and"
                    + " registry, deploys another bundle through its models topic half-way, and"
                    + " compares the labels of the window after the deployment with the window"
                    + " before it: images/s, p99 and max latency from send to label (read"
                    + " committed); reports the switch time, the images the old model still"
                    + " labelled after it, and any image lost or labelled twice.",
            "Set OMP_NUM_THREADS (e.g. to the core count) before the JVM starts: MXNet reads it"
                    + " when it loads."
        })
public final class SwapBenchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--bundle",
            paramLabel = "LOCATION",
            defaultValue = "default",
            description =
                    "The model the service starts with: a directory, classpath:folder or default"
                            + " (default: ${DEFAULT-VALUE}).")
    String bundle;

    @Option(
            names = "--to",
            paramLabel = "LOCATION",
            description =
                    "The model deployed half-way, as version "
                            + SwapBenchmark.NEXT_VERSION
                            + " (default: a second copy of --bundle).")
    String next;

    @Option(
            names = "--rate",
            paramLabel = "IMAGES_PER_SECOND",
            defaultValue = "0",
            description =
                    "Images sent per second; 0 for 40% of the predictor's rate at --batch-size,"
                            + " measured first: about half what the service sustains (default:"
                            + " ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--before",
            paramLabel = "SECONDS",
            defaultValue = "30",
            description =
                    "Seconds of flow before the deployment, at least twice --window; the window"
                            + " before it is their end (default: ${DEFAULT-VALUE}).")
    double before;

    @Option(
            names = "--after",
            paramLabel = "SECONDS",
            defaultValue = "20",
            description =
                    "Seconds of flow after the deployment, at least --window (default:"
                            + " ${DEFAULT-VALUE}).")
    double after;

    @Option(
            names = "--window",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description =
                    "Seconds compared on either side of the deployment (default:"
                            + " ${DEFAULT-VALUE}).")
    double window;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "16",
            description = "The service's max.batch.size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "4",
            description = "Partitions of the images and labels topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = "--device",
            defaultValue = "auto",
            description = "auto, cpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description =
                    "Service configuration (a configuration key, kafka.* or serde.*), repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--json", description = "Also print the report as one JSON object, last line.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        System.setProperty("offline", System.getProperty("offline", "true"));
        SwapBenchmark.Settings settings;
        try {
            settings =
                    new SwapBenchmark.Settings(
                            bundle,
                            next,
                            batchSize,
                            partitions,
                            rate,
                            seconds(before),
                            seconds(after),
                            seconds(window),
                            device,
                            overrides);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            SwapBenchmark.Report report = new SwapBenchmark(settings, err).run();
            out.print(report.toTable());
            if (json) {
                out.println(report.toJson());
            }
            out.flush();
            return 0;
        } catch (Exception e) {
            BenchCommand.printFailure(err, e);
            return 1;
        }
    }

    private static Duration seconds(double seconds) {
        return Duration.ofMillis((long) (seconds * 1000));
    }
}
