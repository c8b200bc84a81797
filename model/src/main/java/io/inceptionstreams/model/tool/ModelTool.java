package io.inceptionstreams.model.tool;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.fashionmnist.FashionMnist;
import io.inceptionstreams.model.googlenet.GoogLeNet;
import io.inceptionstreams.model.googlenet.ModelSummary;
import io.inceptionstreams.model.preprocess.InputSpec;
import io.inceptionstreams.model.training.Evaluation;
import io.inceptionstreams.model.training.FashionMnistEvaluator;
import io.inceptionstreams.model.training.FashionMnistTrainer;
import io.inceptionstreams.model.training.TrainingOptions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The model module's own entry point: {@code train}, {@code evaluate} and {@code summary}. The
 * service's command line wraps the same library calls; this one needs only the model module, so a
 * model can be trained and checked before the rest is built.
 *
 * <pre>
 * ./mvnw -q -pl model compile exec:java -Dexec.args="train --epochs 6"
 * ./mvnw -q -pl model compile exec:java -Dexec.args="evaluate --bundle default"
 * ./mvnw -q -pl model compile exec:java -Dexec.args="summary --imagenet-shape"
 * </pre>
 */
public final class ModelTool {

    private static final String USAGE =
            String.join(
                    "\n",
                    "usage: ModelTool train|export|evaluate|summary [options]",
                    "  train    --data DIR (default: Fashion-MNIST package dir) --bundle-out DIR"
                            + " (model/src/main/resources/bundles/fashion-mnist-googlenet)",
                    "           --checkpoints DIR (checkpoints) --epochs N (6) --batch-size N (128)"
                            + " --learning-rate F (0.001)",
                    "           --image-size N (48) --seed N (42) --augment true|false (true)"
                            + " --resume true|false (false)",
                    "           --train-limit N (0 = all) --eval-limit N (0 = all) --device"
                            + " auto|cpu|gpu:N (auto) --version V (1.0.0)",
                    "  export   --checkpoints DIR --bundle-out DIR --image-size N --version V:"
                            + " a bundle from the newest checkpoint",
                    "  evaluate --bundle LOCATION (default) --data DIR --limit N (0 = all 10,000"
                            + " test images) --device D (auto)",
                    "  summary  --bundle LOCATION | --imagenet-shape (224x224x3, 1000 classes)");

    private static final String DEFAULT_BUNDLE_OUT =
            "model/src/main/resources/bundles/fashion-mnist-googlenet";

    private ModelTool() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help")) {
            System.out.println(USAGE);
            return;
        }
        Map<String, String> options = parse(args);
        switch (args[0]) {
            case "train" -> train(options);
            case "export" -> export(options);
            case "evaluate" -> evaluate(options);
            case "summary" -> summary(options);
            default -> usageError("unknown command '" + args[0] + "'");
        }
    }

    private static void train(Map<String, String> o) throws Exception {
        allow(
                o,
                "data",
                "bundle-out",
                "checkpoints",
                "epochs",
                "batch-size",
                "learning-rate",
                "image-size",
                "seed",
                "augment",
                "resume",
                "train-limit",
                "eval-limit",
                "device",
                "version");
        TrainingOptions options =
                new TrainingOptions(
                        Path.of(o.getOrDefault("data", FashionMnist.defaultDir().toString())),
                        Path.of(o.getOrDefault("bundle-out", DEFAULT_BUNDLE_OUT)),
                        Path.of(o.getOrDefault("checkpoints", "checkpoints")),
                        Integer.parseInt(o.getOrDefault("epochs", "6")),
                        Integer.parseInt(o.getOrDefault("batch-size", "128")),
                        Float.parseFloat(o.getOrDefault("learning-rate", "0.001")),
                        Integer.parseInt(o.getOrDefault("image-size", "48")),
                        Long.parseLong(o.getOrDefault("seed", "42")),
                        Boolean.parseBoolean(o.getOrDefault("augment", "true")),
                        Boolean.parseBoolean(o.getOrDefault("resume", "false")),
                        Integer.parseInt(o.getOrDefault("train-limit", "0")),
                        Integer.parseInt(o.getOrDefault("eval-limit", "0")),
                        o.getOrDefault("device", "auto"),
                        o.getOrDefault("version", "1.0.0"));
        Evaluation evaluation = new FashionMnistTrainer(options, System.out).train();
        System.out.printf(
                "test accuracy %.4f on %d images%n", evaluation.accuracy(), evaluation.count());
    }

    private static void export(Map<String, String> o) throws Exception {
        allow(o, "checkpoints", "bundle-out", "image-size", "version");
        TrainingOptions options =
                new TrainingOptions(
                        FashionMnist.defaultDir(),
                        Path.of(o.getOrDefault("bundle-out", DEFAULT_BUNDLE_OUT)),
                        Path.of(o.getOrDefault("checkpoints", "checkpoints")),
                        1,
                        1,
                        0.001f,
                        Integer.parseInt(o.getOrDefault("image-size", "48")),
                        0,
                        false,
                        true,
                        0,
                        0,
                        "cpu",
                        o.getOrDefault("version", "1.0.0"));
        int epochs = new FashionMnistTrainer(options, System.out).exportCheckpoint();
        System.out.printf("exported the checkpoint of epoch %d%n", epochs);
    }

    private static void evaluate(Map<String, String> o) throws Exception {
        allow(o, "bundle", "data", "limit", "device");
        ModelBundle bundle = ModelBundle.open(o.getOrDefault("bundle", "default"));
        FashionMnist test =
                FashionMnist.load(
                        Path.of(o.getOrDefault("data", FashionMnist.defaultDir().toString())),
                        FashionMnist.Split.TEST);
        int limit = Integer.parseInt(o.getOrDefault("limit", "0"));
        try (ImageClassifier classifier =
                ImageClassifier.open(bundle, o.getOrDefault("device", "auto"), 1)) {
            Evaluation evaluation =
                    FashionMnistEvaluator.evaluate(classifier, test, limit, 256, System.err);
            System.out.printf(
                    "bundle %s: %s%nevaluated on %s%n",
                    bundle.location(),
                    bundle.descriptor(),
                    limit <= 0 || limit >= test.size()
                            ? "the full Fashion-MNIST test set (" + test.size() + " images)"
                            : "the first " + evaluation.count() + " Fashion-MNIST test images");
            System.out.print(evaluation.confusionTable());
        }
    }

    private static void summary(Map<String, String> o) throws Exception {
        allow(o, "bundle", "imagenet-shape");
        GoogLeNet network;
        InputSpec input;
        if (o.containsKey("imagenet-shape")) {
            network = GoogLeNet.builder().setNumClasses(1000).build();
            input = new InputSpec(224, 224, 3, new float[3], new float[] {1, 1, 1});
        } else {
            ModelBundle bundle = ModelBundle.open(o.getOrDefault("bundle", "default"));
            network = bundle.newNetwork(false);
            input = bundle.inputSpec();
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            network.initialize(
                    manager,
                    DataType.FLOAT32,
                    new Shape(1, input.channels(), input.height(), input.width()));
            System.out.print(ModelSummary.of(network).toTable());
        }
    }

    /** {@code --key value} pairs after the command; a flag with no value reads as "true". */
    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                usageError("expected an option, got '" + args[i] + "'");
            }
            String key = args[i].substring(2);
            boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            options.put(key, hasValue ? args[++i] : "true");
        }
        return options;
    }

    private static void allow(Map<String, String> options, String... known) {
        Set<String> allowed = Set.of(known);
        for (String key : options.keySet()) {
            if (!allowed.contains(key)) {
                usageError("unknown option --" + key + "; known: " + List.of(known));
            }
        }
    }

    private static void usageError(String message) {
        System.err.println(message);
        System.err.println(USAGE);
        System.exit(2);
    }
}
