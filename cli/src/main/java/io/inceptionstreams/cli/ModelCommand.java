package io.inceptionstreams.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.fashionmnist.FashionMnist;
import io.inceptionstreams.model.fashionmnist.SampleImageExporter;
import io.inceptionstreams.model.googlenet.GoogLeNet;
import io.inceptionstreams.model.googlenet.ModelSummary;
import io.inceptionstreams.model.preprocess.InputSpec;
import io.inceptionstreams.model.training.FashionMnistTrainer;
import io.inceptionstreams.model.training.TrainingOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The network itself: its per-layer summary, bundles from training checkpoints, and rolling bundles
 * out to running instances.
 */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description =
                "The GoogLeNet network: its layer table, bundles from checkpoints, the"
                        + " bundled sample images, and rolling bundles out to running instances.",
        subcommands = {
            ModelCommand.Summary.class,
            ModelCommand.Export.class,
            ModelCommand.Samples.class,
            ModelRollout.Deploy.class,
            ModelRollout.Rollback.class,
            ModelRollout.StopShadow.class,
            ModelRollout.Status.class
        })
final class ModelCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(),
                "Missing a command: summary, export, samples, deploy, rollback, stop-shadow or status");
    }

    @Command(
            name = "summary",
            mixinStandardHelpOptions = true,
            description =
                    "Prints the per-layer table in the paper's layout (Table 1): output size, depth,"
                            + " #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj, exact"
                            + " parameter counts and a total line.")
    static final class Summary implements Callable<Integer> {
        @Spec CommandSpec spec;

        static final class Network {
            @Option(
                    names = "--bundle",
                    paramLabel = "LOCATION",
                    description = "The network of a bundle (default: default, the bundled model).")
            String bundle;

            @Option(
                    names = "--imagenet-shape",
                    description = "The paper's network: 224x224x3 input, 1000 classes.")
            boolean imagenetShape;
        }

        @ArgGroup(exclusive = true)
        Network network = new Network();

        @Override
        public Integer call() throws Exception {
            GoogLeNet net;
            InputSpec input;
            if (network.imagenetShape) {
                net = GoogLeNet.builder().setNumClasses(1000).build();
                input = new InputSpec(224, 224, 3, new float[3], new float[] {1, 1, 1});
            } else {
                ModelBundle bundle =
                        ModelBundle.open(network.bundle == null ? "default" : network.bundle);
                net = bundle.newNetwork(false);
                input = bundle.inputSpec();
            }
            try (NDManager manager = NDManager.newBaseManager()) {
                net.initialize(
                        manager,
                        DataType.FLOAT32,
                        new Shape(1, input.channels(), input.height(), input.width()));
                spec.commandLine().getOut().print(ModelSummary.of(net).toTable());
                spec.commandLine().getOut().flush();
            }
            return InceptionStreams.EXIT_OK;
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = "Writes a bundle from the newest training checkpoint.")
    static final class Export implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Mixin BundleOutput output;

        @Option(
                names = "--image-size",
                paramLabel = "N",
                defaultValue = "48",
                description =
                        "Input side the checkpoint was trained at (default: ${DEFAULT-VALUE}).")
        int imageSize;

        @Override
        public Integer call() throws Exception {
            TrainingOptions options =
                    TrainingOptions.forExport(
                            FashionMnist.defaultDir(),
                            output.checkpoints,
                            imageSize,
                            output.bundleOut,
                            output.version);
            int epochs = new FashionMnistTrainer(options, System.out).exportCheckpoint();
            spec.commandLine()
                    .getOut()
                    .printf(
                            "exported the checkpoint of epoch %d to %s%n",
                            epochs, output.bundleOut);
            spec.commandLine().getOut().flush();
            return InceptionStreams.EXIT_OK;
        }
    }

    @Command(
            name = "samples",
            mixinStandardHelpOptions = true,
            description = {
                "Writes a class-balanced, deterministic set of Fashion-MNIST test images as 28x28"
                        + " PNG files and a manifest.csv: how the demo's bundled samples were made"
                        + " (model/src/main/resources/samples/fashion-mnist, 300 images)."
            })
    static final class Samples implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(
                names = "--out",
                paramLabel = "DIR",
                required = true,
                description = "Directory to write the images and manifest.csv to.")
        Path out;

        @Option(
                names = "--count",
                paramLabel = "N",
                defaultValue = "300",
                description = "Images, a multiple of the 10 classes (default: ${DEFAULT-VALUE}).")
        int count;

        @Option(
                names = "--data",
                paramLabel = "DIR",
                description =
                        "Fashion-MNIST IDX files (default: /usr/share/datasets/fashion-mnist).")
        Path data;

        @Override
        public Integer call() throws Exception {
            if (count <= 0 || count % FashionMnist.CLASS_NAMES.size() != 0) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "--count must be a positive multiple of 10");
            }
            FashionMnist test =
                    FashionMnist.load(
                            data == null ? FashionMnist.defaultDir() : data,
                            FashionMnist.Split.TEST);
            List<Integer> written = SampleImageExporter.export(test, count, out);
            spec.commandLine()
                    .getOut()
                    .printf("wrote %d images and manifest.csv to %s%n", written.size(), out);
            spec.commandLine().getOut().flush();
            return InceptionStreams.EXIT_OK;
        }
    }
}
