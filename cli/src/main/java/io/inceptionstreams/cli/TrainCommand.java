package io.inceptionstreams.cli;

import io.inceptionstreams.cli.report.Charts;
import io.inceptionstreams.model.training.EpochResult;
import io.inceptionstreams.model.training.Evaluation;
import io.inceptionstreams.model.training.FashionMnistTrainer;
import io.inceptionstreams.model.training.TrainingOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Trains GoogLeNet on Fashion-MNIST into a model bundle. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains GoogLeNet on Fashion-MNIST (Adam, warm-up + cosine schedule, auxiliary losses"
                    + " 0.3), writes a checkpoint after every epoch and the model bundle at the end,"
                    + " then evaluates it on the test set.",
            "Resumable: --resume continues from the newest checkpoint up to --epochs in total."
        })
final class TrainCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin FashionMnistData data;

    @Mixin BundleOutput output;

    @Option(
            paramLabel = "N",
            names = "--epochs",
            defaultValue = "6",
            description = "Total epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            paramLabel = "N",
            names = "--batch-size",
            defaultValue = "128",
            description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            paramLabel = "RATE",
            names = "--learning-rate",
            defaultValue = "0.001",
            description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(
            paramLabel = "N",
            names = "--image-size",
            defaultValue = "48",
            description = "Square input side, 48 or more (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(
            paramLabel = "N",
            names = "--seed",
            defaultValue = "42",
            description =
                    "Seed of weights, shuffling and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--augment",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Random flips and shifts; --no-augment turns them off (default: on).")
    boolean augment;

    @Option(
            paramLabel = "F",
            names = "--max-shift",
            defaultValue = "0.0625",
            description =
                    "Largest shift with --augment, as a share of the side, in each direction (3"
                            + " pixels at 48x48); 0 for flips only (default: ${DEFAULT-VALUE}).")
    float maxShift;

    @Option(
            paramLabel = "P",
            names = "--random-erasing",
            defaultValue = "0",
            description =
                    "Probability of erasing a random rectangle (2-33%% of the image) of each"
                            + " training image with noise (default: ${DEFAULT-VALUE}).")
    float randomErasing;

    @Option(
            paramLabel = "E",
            names = "--label-smoothing",
            defaultValue = "0",
            description =
                    "Share of each target spread over all classes (default: ${DEFAULT-VALUE}).")
    float labelSmoothing;

    @Option(
            paramLabel = "W",
            names = "--weight-decay",
            defaultValue = "0",
            description =
                    "L2 weight decay, added to each gradient as W times the weight before Adam's"
                            + " update (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(
            paramLabel = "W",
            names = "--decoupled-weight-decay",
            defaultValue = "0",
            description =
                    "Weight decay apart from the gradient (AdamW): every step first scales each"
                            + " weight by 1 - rate * W, rate being the step's learning rate"
                            + " (default: ${DEFAULT-VALUE}).")
    float decoupledWeightDecay;

    @Option(
            paramLabel = "D",
            names = "--ema-decay",
            defaultValue = "0",
            description =
                    "Decay of an exponential moving average of the weights, taken after every"
                            + " step and evaluated and shipped instead of them; 0 for none"
                            + " (default: ${DEFAULT-VALUE}).")
    float emaDecay;

    @Option(names = "--resume", description = "Continue from the newest checkpoint.")
    boolean resume;

    @Option(
            paramLabel = "N",
            names = "--stop-after",
            defaultValue = "0",
            description =
                    "Stop once N epochs are done (the bundle written, the checkpoint kept), on the"
                            + " learning-rate curve of --epochs, so that --resume later continues"
                            + " as if it had not stopped; 0 = run all --epochs (default: 0).")
    int stopAfter;

    @Option(
            paramLabel = "N",
            names = "--train-limit",
            defaultValue = "0",
            description = "Train on the first N images only, 0 = all 60,000 (default: 0).")
    int trainLimit;

    @Option(
            paramLabel = "N",
            names = "--eval-limit",
            defaultValue = "0",
            description = "Evaluate on the first N test images, 0 = all 10,000 (default: 0).")
    int evalLimit;

    @Option(
            paramLabel = "N",
            names = "--eval-every",
            defaultValue = "1",
            description =
                    "Evaluate on the test set after every N-th epoch and after the last; the"
                            + " others have no test accuracy (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(
            paramLabel = "DEVICE",
            names = "--device",
            defaultValue = "auto",
            description = "auto, cpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--plot",
            paramLabel = "FILE",
            description =
                    "Also draw the learning curves (train loss and test accuracy per epoch, those"
                            + " before a resume included) as a PNG image.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        TrainingOptions options;
        try {
            options =
                    new TrainingOptions(
                            data.dir(),
                            output.bundleOut,
                            output.checkpoints,
                            epochs,
                            batchSize,
                            learningRate,
                            imageSize,
                            seed,
                            augment,
                            maxShift,
                            randomErasing,
                            labelSmoothing,
                            weightDecay,
                            decoupledWeightDecay,
                            emaDecay,
                            resume,
                            stopAfter,
                            trainLimit,
                            evalLimit,
                            evalEvery,
                            device,
                            output.version);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Evaluation evaluation = new FashionMnistTrainer(options, System.out).train();
        System.out.printf(
                "bundle written to %s; test accuracy %.4f on %d images%n",
                output.bundleOut, evaluation.accuracy(), evaluation.count());
        if (plot != null) {
            List<Charts.EpochPoint> epochs =
                    EpochResult.read(output.checkpoints).stream()
                            .map(
                                    e ->
                                            new Charts.EpochPoint(
                                                    e.epoch(), e.trainLoss(), e.testAccuracy()))
                            .toList();
            Charts.learningCurves(
                    String.format(
                            Locale.ROOT,
                            "GoogLeNet on Fashion-MNIST, %dx%d, batch %d: test accuracy %.4f"
                                    + " (float16 bundle)",
                            imageSize,
                            imageSize,
                            batchSize,
                            evaluation.accuracy()),
                    epochs,
                    plot);
            System.out.println("learning curves drawn to " + plot);
        }
        return InceptionStreams.EXIT_OK;
    }
}
