package io.inceptionstreams.model.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One epoch of a training run: what the learning curves are drawn from. A run keeps them in its
 * checkpoint directory ({@code history.csv}), so a resumed run's curves include the epochs before
 * the resume.
 *
 * @param epoch 1-based
 * @param trainLoss mean training loss over the epoch (with the side classifiers' share)
 * @param trainAccuracy top-1 accuracy of the main classifier on the epoch's training batches
 * @param testAccuracy top-1 accuracy on the test images after the epoch (float32 weights), NaN when
 *     the epoch was not evaluated ({@link TrainingOptions#evalEvery()})
 * @param imagesPerSecond training images per second over the epoch
 */
public record EpochResult(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double testAccuracy,
        double imagesPerSecond) {

    static final String FILE = "history.csv";

    /** This epoch with its test accuracy, once measured. */
    EpochResult withTestAccuracy(double accuracy) {
        return new EpochResult(epoch, trainLoss, trainAccuracy, accuracy, imagesPerSecond);
    }

    private static final String HEADER =
            "epoch,train_loss,train_accuracy,test_accuracy,images_per_second";

    /** The epochs recorded in {@code checkpointDir}, in order; empty without a history. */
    public static List<EpochResult> read(Path checkpointDir) throws IOException {
        Path file = checkpointDir.resolve(FILE);
        if (!Files.exists(file)) {
            return List.of();
        }
        List<EpochResult> epochs = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.equals(HEADER)) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length != 5) {
                throw new IOException(file + ": not an epoch line: " + line);
            }
            epochs.add(
                    new EpochResult(
                            Integer.parseInt(f[0]),
                            Double.parseDouble(f[1]),
                            Double.parseDouble(f[2]),
                            Double.parseDouble(f[3]),
                            Double.parseDouble(f[4])));
        }
        return epochs;
    }

    /** {@code epochs} as the file's content. */
    static String csv(List<EpochResult> epochs) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (EpochResult e : epochs) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%d,%.6f,%.6f,%.6f,%.2f%n",
                            e.epoch(),
                            e.trainLoss(),
                            e.trainAccuracy(),
                            e.testAccuracy(),
                            e.imagesPerSecond()));
        }
        return out.toString();
    }
}
