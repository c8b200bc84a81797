package io.inceptionstreams.cli;

import io.inceptionstreams.cli.report.Charts;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.fashionmnist.FashionMnist;
import io.inceptionstreams.model.training.Evaluation;
import io.inceptionstreams.model.training.FashionMnistEvaluator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Accuracy and confusion matrix of a bundle on the Fashion-MNIST test set. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description =
                "Classifies Fashion-MNIST test images through the serving path and prints the"
                        + " accuracy, which images it used, and the confusion matrix.")
final class EvaluateCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin FashionMnistData data;

    @Option(
            names = "--bundle",
            paramLabel = "LOCATION",
            defaultValue = "default",
            description = "Model bundle (default: ${DEFAULT-VALUE}, the bundled model).")
    String bundle;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "0",
            description = "Only the first N test images; 0 = all 10,000 (default: 0).")
    int limit;

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
                    "Also draw the confusion matrix (share of each true class, in percent) as a PNG"
                            + " image.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        ModelBundle model = ModelBundle.open(bundle);
        FashionMnist test = FashionMnist.load(data.dir(), FashionMnist.Split.TEST);
        PrintWriter out = spec.commandLine().getOut();
        try (ImageClassifier classifier = ImageClassifier.open(model, device, 1)) {
            Evaluation evaluation =
                    FashionMnistEvaluator.evaluate(classifier, test, limit, 256, System.err);
            out.printf(
                    "bundle %s: %s%nevaluated on %s%n",
                    model.location(),
                    model.descriptor(),
                    limit <= 0 || limit >= test.size()
                            ? "the full Fashion-MNIST test set (" + test.size() + " images)"
                            : "the first " + evaluation.count() + " Fashion-MNIST test images");
            out.print(evaluation.confusionTable());
            if (plot != null) {
                Charts.confusionMatrix(
                        String.format(
                                Locale.ROOT,
                                "%s %s: accuracy %.4f on %d Fashion-MNIST test images",
                                model.descriptor().name(),
                                model.descriptor().version(),
                                evaluation.accuracy(),
                                evaluation.count()),
                        evaluation.labels(),
                        evaluation.confusion(),
                        plot);
                out.println("confusion matrix drawn to " + plot);
            }
            out.flush();
        }
        return InceptionStreams.EXIT_OK;
    }
}
