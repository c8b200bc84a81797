package io.inceptionstreams.cli.bench;

import io.inceptionstreams.model.training.TrainingBenchmark;
import io.inceptionstreams.model.training.TrainingBenchmark.Loop;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code inception-streams bench train}: training images/s of {@code train}'s step, against the
 * same step driven by DJL's {@code Trainer}, in alternating rounds of one run; and what that makes
 * an epoch of Fashion-MNIST take.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measures training images/s (GoogLeNet with its side heads, the paper's loss, Adam, on"
                    + " random images) of train's own loop and of the same step through DJL's"
                    + " Trainer (whose updates go through the engine's parameter server), in"
                    + " alternating rounds; prints the medians, their ratio and the time an epoch"
                    + " of 60,000 images takes at that rate.",
            "Set OMP_NUM_THREADS before the JVM starts: MXNet reads it when it loads."
        })
public final class TrainBenchCommand implements Callable<Integer> {

    private static final int EPOCH_IMAGES = 60_000;

    @Spec CommandSpec spec;

    @Option(
            names = "--image-size",
            paramLabel = "N",
            defaultValue = "48",
            description = "Square input side (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "128",
            description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--steps",
            paramLabel = "N",
            defaultValue = "10",
            description = "Timed steps per round and loop (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "2",
            description = "Untimed steps before each timed run (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--rounds",
            paramLabel = "N",
            defaultValue = "3",
            description = "Rounds, each loop once per round (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            description = "cpu, auto or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--json", description = "Also print the figures as one JSON object, last line.")
    boolean json;

    @Override
    public Integer call() {
        if (imageSize < 48 || batchSize < 1 || steps < 1 || warmup < 0 || rounds < 1) {
            throw new ParameterException(
                    spec.commandLine(),
                    "image size must be >= 48, batch size, steps and rounds >= 1, warmup >= 0");
        }
        System.setProperty("offline", System.getProperty("offline", "true"));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Double> direct = new ArrayList<>();
        List<Double> djl = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            // Alternating which goes first, so a drift of the machine's speed favours neither.
            List<Loop> order =
                    round % 2 == 1
                            ? List.of(Loop.DIRECT, Loop.DJL_TRAINER)
                            : List.of(Loop.DJL_TRAINER, Loop.DIRECT);
            for (Loop loop : order) {
                double rate =
                        TrainingBenchmark.imagesPerSecond(
                                loop, imageSize, batchSize, warmup, steps, device);
                (loop == Loop.DIRECT ? direct : djl).add(rate);
                err.printf(
                        Locale.ROOT,
                        "bench: train round %d, %s: %.1f images/s%n",
                        round,
                        name(loop),
                        rate);
                err.flush();
            }
        }
        double ours = median(direct);
        double theirs = median(djl);
        double minutes = EPOCH_IMAGES / ours / 60;
        out.printf(
                Locale.ROOT,
                "training GoogLeNet at %dx%d, batch %d, %s, OMP_NUM_THREADS=%s, %d rounds of %d"
                        + " steps:%n",
                imageSize,
                imageSize,
                batchSize,
                device,
                System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"),
                rounds,
                steps);
        out.printf(Locale.ROOT, "  %-38s %8.1f images/s%n", "train's loop (median)", ours);
        out.printf(Locale.ROOT, "  %-38s %8.1f images/s%n", "DJL's Trainer (median)", theirs);
        out.printf(Locale.ROOT, "  %-38s %8.2fx%n", "train's loop / DJL's Trainer", ours / theirs);
        out.printf(
                Locale.ROOT,
                "  an epoch of %,d images: %.1f minutes; two hours: %.1f epochs%n",
                EPOCH_IMAGES,
                minutes,
                120 / minutes);
        if (json) {
            out.println(
                    new BenchJson()
                            .field("tool", "inception-streams bench train")
                            .field("image_size", imageSize)
                            .field("batch_size", batchSize)
                            .field("device", device)
                            .field("rounds", rounds)
                            .field("steps", steps)
                            .field("direct_img_s", ours)
                            .field("djl_trainer_img_s", theirs)
                            .field("direct_over_djl_trainer", ours / theirs)
                            .field("epoch_minutes", minutes)
                            .toString());
        }
        out.flush();
        return 0;
    }

    private static String name(Loop loop) {
        return loop == Loop.DIRECT ? "train's loop" : "DJL's Trainer";
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
