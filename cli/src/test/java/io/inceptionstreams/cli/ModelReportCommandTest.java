package io.inceptionstreams.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The model report's pictures: {@code train}, {@code evaluate} and {@code bench --plot}. */
class ModelReportCommandTest {

    @TempDir Path dir;

    @Test
    @Timeout(300)
    void shouldDrawTheLearningCurvesOfATrainingRunIncludingTheEpochsBeforeAResume()
            throws Exception {
        // Given a run of two epochs stopped after one
        String[] common = {
            "train",
            "--epochs",
            "2",
            "--batch-size",
            "32",
            "--train-limit",
            "64",
            "--eval-limit",
            "32",
            "--device",
            "cpu",
            "--checkpoints",
            dir.resolve("checkpoints").toString(),
            "--bundle-out",
            dir.resolve("bundle").toString()
        };
        assertThat(CommandResult.run(with(common, "--stop-after", "1")).exitCode()).isZero();

        // When it is resumed with --plot
        Path png = dir.resolve("report/curves.png");
        CommandResult resumed =
                CommandResult.run(with(common, "--resume", "--plot", png.toString()));

        // Then the learning curves are a PNG picture
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertDrawn(png, 900, 560);
    }

    @Test
    @Timeout(300)
    void shouldDrawTheConfusionMatrixOfAnEvaluation() throws Exception {
        Path png = dir.resolve("confusion.png");
        CommandResult result =
                CommandResult.run(
                        "evaluate", "--limit", "40", "--device", "cpu", "--plot", png.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("confusion matrix drawn to");
        assertDrawn(png, 1000, 800);
    }

    @Test
    @Timeout(300)
    void shouldDrawThePredictorsBatchSizeSweep() throws Exception {
        Path png = dir.resolve("sweep.png");
        CommandResult result =
                CommandResult.run(
                        "bench",
                        "predictor",
                        "--no-imagenet",
                        "--batch-sizes",
                        "1,4",
                        "--warmup",
                        "1",
                        "--batches",
                        "1",
                        "--seconds",
                        "0.1",
                        "--plot",
                        png.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertDrawn(png, 900, 560);
    }

    /** A PNG of that size with more than a background and a line in it. */
    private static void assertDrawn(Path png, int width, int height) throws Exception {
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as(png.toString()).isNotNull();
        assertThat(image.getWidth()).isEqualTo(width);
        assertThat(image.getHeight()).isEqualTo(height);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < height; y += 3) {
            for (int x = 0; x < width; x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("colours in " + png).isGreaterThan(5);
    }

    private static String[] with(String[] args, String... more) {
        String[] all = new String[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
