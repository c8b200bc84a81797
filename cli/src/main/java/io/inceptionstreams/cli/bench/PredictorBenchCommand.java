package io.inceptionstreams.cli.bench;

import io.inceptionstreams.cli.bench.ClassifierBenchmark.Report;
import io.inceptionstreams.cli.bench.ClassifierBenchmark.Settings;
import io.inceptionstreams.cli.bench.ClassifierBenchmark.Target;
import io.inceptionstreams.model.classify.Execution;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.common.utils.Utils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code inception-streams bench predictor}: the batched classifier alone on random tensors, by
 * batch size and execution (see {@link ClassifierBenchmark}); what {@code bench/predictor.sh}
 * compares with torchvision.
 */
@Command(
        name = "predictor",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measures the batched predictor alone (random normalised tensors in, top-k out, no"
                    + " decoding) for each batch size, after warm-up batches, as median images/s"
                    + " with the spread; several executions run interleaved and get a ratio to the"
                    + " first.",
            "Set OMP_NUM_THREADS before the JVM starts: MXNet reads it when it loads."
        })
public final class PredictorBenchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--batch-sizes",
            paramLabel = "LIST",
            split = ",",
            defaultValue = "1,8,32",
            description = "Images per batch, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(
            names = "--execution",
            paramLabel = "LIST",
            split = ",",
            defaultValue = "cached-graph",
            description =
                    "cached-graph, imperative, or both, comma-separated; several run interleaved"
                            + " (default: ${DEFAULT-VALUE}).")
    List<String> executions;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "3",
            description = "Untimed batches per batch size (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--batches",
            paramLabel = "N",
            defaultValue = "5",
            description = "Timed batches at least (default: ${DEFAULT-VALUE}).")
    int minBatches;

    @Option(
            names = "--max-batches",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Timed batches at most (default: ${DEFAULT-VALUE}).")
    int maxBatches;

    @Option(
            names = "--seconds",
            paramLabel = "S",
            defaultValue = "5",
            description = "Timed seconds at least per batch size (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(
            names = "--bundle",
            paramLabel = "LOCATION",
            description =
                    "A bundle directory, classpath:folder or default; repeatable; none to skip"
                            + " (default: default, or a random 48x48x1/10 bundle when missing).")
    List<String> bundles = new ArrayList<>();

    @Option(
            names = "--no-imagenet",
            description = "Skip the random-weights 224x224x3/1000 network.")
    boolean noImagenet;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            description = "cpu, auto or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--json", description = "Also print the report as one JSON line, last.")
    boolean json;

    @Option(
            names = "--plot",
            paramLabel = "FILE",
            description = "Also draw images/s by batch size as a PNG image.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Settings settings =
                Settings.defaults()
                        .withBatchSizes(batchSizes)
                        .withExecutions(parseExecutions(executions))
                        .withDevice(device)
                        .withBatches(
                                warmup,
                                minBatches,
                                Math.max(minBatches, maxBatches),
                                Duration.ofMillis((long) (seconds * 1000)));
        List<String> locations = bundles.isEmpty() ? List.of("default") : bundles;
        Path scratch = Files.createTempDirectory("classifier-benchmark");
        try {
            List<Target> targets = new ArrayList<>();
            if (!noImagenet) {
                targets.add(ClassifierBenchmark.imagenetTarget(scratch.resolve("imagenet")));
            }
            for (String location : locations) {
                if (!location.equals("none")) {
                    targets.add(
                            ClassifierBenchmark.bundleTarget(location, scratch.resolve("small")));
                }
            }
            Report report = ClassifierBenchmark.run(targets, settings);
            out.print(report.toTable());
            if (plot != null) {
                SweepPlot.draw(report.results(), report.environment().summary(), plot);
                out.println("batch-size sweep drawn to " + plot);
            }
            if (json) {
                out.println(report.toJson());
            }
            out.flush();
            return 0;
        } finally {
            Utils.delete(scratch.toFile());
        }
    }

    private static List<Execution> parseExecutions(List<String> names) {
        if (names.equals(List.of("both"))) {
            return List.of(Execution.IMPERATIVE, Execution.CACHED_GRAPH);
        }
        return names.stream().map(ClassifierBenchmark::parseExecution).toList();
    }
}
