package io.inceptionstreams.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.fashionmnist.FashionMnist;
import io.inceptionstreams.model.preprocess.InputSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTrainerTest {

    private static final String WEIGHTS = "checkpoint.ndlist";
    private static final String AVERAGE = "average.ndlist";

    @TempDir Path dir;

    private TrainingOptions options(int epochs, boolean resume) {
        return options("checkpoints", epochs, resume, 0, 1);
    }

    private TrainingOptions options(String checkpoints, int epochs, boolean resume, int stopAfter) {
        return options(checkpoints, epochs, resume, stopAfter, 1);
    }

    private TrainingOptions options(
            String checkpoints, int epochs, boolean resume, int stopAfter, int evalEvery) {
        // A small slice of the data, every regulariser on
        return new TrainingOptionsBuilder()
                .bundleDir(dir.resolve("bundle"))
                .checkpointDir(dir.resolve(checkpoints))
                .epochs(epochs)
                .batchSize(32)
                .seed(7)
                .randomErasing(0.5f)
                .labelSmoothing(0.1f)
                .weightDecay(1e-4f)
                .decoupledWeightDecay(0.05f)
                .emaDecay(0.9f)
                .resume(resume)
                .stopAfter(stopAfter)
                .trainLimit(128)
                .evalLimit(64)
                .evalEvery(evalEvery)
                .build();
    }

    @Test
    void shouldTrainCheckpointResumeAndWriteALoadableBundle() throws Exception {
        // Given one epoch on a small slice of the training set
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Evaluation first =
                new FashionMnistTrainer(options(1, false), new PrintStream(log, true)).train();

        // Then a checkpoint and a bundle exist, and the evaluation counted the requested images
        assertThat(first.count()).isEqualTo(64);
        assertThat(checkpointEpoch()).isEqualTo(1);
        ModelBundle bundle = ModelBundle.open(dir.resolve("bundle").toString());
        assertThat(bundle.synset()).isEqualTo(FashionMnist.CLASS_NAMES);
        assertThat(bundle.descriptor().parametersDataType()).isEqualTo("float16");
        assertThat(bundle.inputSpec().width()).isEqualTo(48);

        // When a second run resumes to two epochs
        ByteArrayOutputStream resumed = new ByteArrayOutputStream();
        new FashionMnistTrainer(options(2, true), new PrintStream(resumed, true)).train();

        // Then it trained only the missing epoch
        String output = resumed.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("resumed from").contains("after epoch 1");
        assertThat(output).contains("epoch 2/2").doesNotContain("epoch 1/2");
        assertThat(checkpointEpoch()).isEqualTo(2);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("loss", "accuracy");

        // And the history holds both epochs, the first from before the resume
        List<EpochResult> history = EpochResult.read(dir.resolve("checkpoints"));
        assertThat(history).extracting(EpochResult::epoch).containsExactly(1, 2);
        assertThat(history)
                .allSatisfy(
                        e -> {
                            assertThat(e.trainLoss()).isPositive();
                            assertThat(e.testAccuracy()).isBetween(0.0, 1.0);
                            assertThat(e.imagesPerSecond()).isPositive();
                        });

        // And a bundle exported from the checkpoint ships the same (averaged) weights
        Path exported = dir.resolve("exported");
        new FashionMnistTrainer(
                        TrainingOptions.forExport(
                                FashionMnist.defaultDir(),
                                dir.resolve("checkpoints"),
                                48,
                                exported,
                                "0.0.2-test"),
                        new PrintStream(new ByteArrayOutputStream(), true))
                .exportCheckpoint();
        assertThat(
                        Files.mismatch(
                                exported.resolve("parameters.ndlist"),
                                dir.resolve("bundle").resolve("parameters.ndlist")))
                .isEqualTo(-1);
    }

    @Test
    void shouldResumeOnExactlyTheStepsOfTheUninterruptedRun() throws Exception {
        // Given two epochs in one run that evaluates every second epoch, and a run of two
        // evaluating as seldom, stopped after one (and so evaluated there) then resumed
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true);
        ByteArrayOutputStream straightLog = new ByteArrayOutputStream();
        new FashionMnistTrainer(
                        options("straight", 2, false, 0, 2), new PrintStream(straightLog, true))
                .train();
        new FashionMnistTrainer(options("resumed", 2, false, 1, 2), quiet).train();
        copy(dir.resolve("resumed"), dir.resolve("without-moments"));
        new FashionMnistTrainer(options("resumed", 2, true, 0, 2), quiet).train();

        // When a third resumes from a copy of the checkpoint without the optimizer's state
        Files.delete(dir.resolve("without-moments/optimizer.ndlist"));
        ByteArrayOutputStream noted = new ByteArrayOutputStream();
        new FashionMnistTrainer(
                        options("without-moments", 2, true, 0), new PrintStream(noted, true))
                .train();

        // Then the resumed weights and their average are those of the uninterrupted run (which
        // an evaluation, or its absence, does not touch), and without the moments they are not
        // (which is what the optimizer's checkpoint is for)
        assertThat(maxDifference("straight", "resumed", WEIGHTS)).isZero();
        assertThat(maxDifference("straight", "resumed", AVERAGE)).isZero();
        assertThat(maxDifference("straight", "without-moments", WEIGHTS)).isGreaterThan(1e-4);
        // And the average is not the weights themselves
        assertThat(maxDifference("straight", "straight", WEIGHTS, AVERAGE)).isGreaterThan(1e-6);
        assertThat(noted.toString(StandardCharsets.UTF_8)).contains("restart at zero");
        List<EpochResult> straight = EpochResult.read(dir.resolve("straight"));
        List<EpochResult> resumed = EpochResult.read(dir.resolve("resumed"));
        assertThat(resumed)
                .extracting(EpochResult::epoch, EpochResult::trainLoss, EpochResult::trainAccuracy)
                .isEqualTo(
                        straight.stream()
                                .map(e -> tuple(e.epoch(), e.trainLoss(), e.trainAccuracy()))
                                .toList());
        // And the uninterrupted run skipped the first epoch's evaluation, and says so, while the
        // stopped one was evaluated where it stopped
        assertThat(straight.get(0).testAccuracy()).isNaN();
        assertThat(straight.get(1).testAccuracy()).isEqualTo(resumed.get(1).testAccuracy());
        assertThat(resumed.get(0).testAccuracy()).isBetween(0.0, 1.0);
        assertThat(straightLog.toString(StandardCharsets.UTF_8))
                .contains("epoch 1: not evaluated (--eval-every 2)")
                .contains("epoch 2: test accuracy");
    }

    private double maxDifference(String a, String b, String file) throws IOException {
        return maxDifference(a, b, file, file);
    }

    /** The largest absolute difference between two checkpoints' files of weights. */
    private double maxDifference(String a, String b, String fileOfA, String fileOfB)
            throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList left =
                    NDList.decode(manager, Files.readAllBytes(dir.resolve(a).resolve(fileOfA)));
            NDList right =
                    NDList.decode(manager, Files.readAllBytes(dir.resolve(b).resolve(fileOfB)));
            assertThat(left.size()).isEqualTo(right.size()).isPositive();
            double max = 0;
            for (int i = 0; i < left.size(); i++) {
                assertThat(left.get(i).getName()).isEqualTo(right.get(i).getName());
                max = Math.max(max, left.get(i).sub(right.get(i)).abs().max().getFloat());
            }
            return max;
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }

    @Test
    void shouldFlipWithoutShiftingWhenTheMaxShiftIsZero() {
        InputSpec spec = FashionMnistTrainer.inputSpec(48);
        float[] image = new float[48 * 48];
        for (int i = 0; i < image.length; i++) {
            image[i] = i;
        }
        float[] mirror = new float[image.length];
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
                mirror[y * 48 + x] = image[y * 48 + 47 - x];
            }
        }
        Random random = new Random(5);
        int flipped = 0;
        for (int draw = 0; draw < 20; draw++) {
            float[] augmented = image.clone();
            FashionMnistTrainer.augment(augmented, 0, spec, random, 0);
            // Each draw is the image or its mirror, never shifted
            boolean mirrored = Arrays.equals(augmented, mirror);
            assertThat(mirrored || Arrays.equals(augmented, image)).isTrue();
            flipped += mirrored ? 1 : 0;
        }
        assertThat(flipped).isBetween(1, 19);

        // While the default shift moves some draws off both
        int shifted = 0;
        for (int draw = 0; draw < 20; draw++) {
            float[] augmented = image.clone();
            FashionMnistTrainer.augment(augmented, 0, spec, random, 0.0625f);
            shifted += Arrays.equals(augmented, image) || Arrays.equals(augmented, mirror) ? 0 : 1;
        }
        assertThat(shifted).isGreaterThan(10);
    }

    @Test
    void shouldEraseOneRectangleWithNoiseAndDrawNothingWhenOff() {
        InputSpec spec = FashionMnistTrainer.inputSpec(48);
        float[] image = new float[48 * 48];
        Random random = new Random(3);
        FashionMnistTrainer.erase(image, 0, spec, random, 0);
        assertThat(random.nextInt()).isEqualTo(new Random(3).nextInt());
        assertThat(image).containsOnly(0f);

        FashionMnistTrainer.erase(image, 0, spec, new Random(3), 1);
        int rows = 0;
        int columns = 0;
        for (int y = 0; y < 48; y++) {
            boolean touched = false;
            for (int x = 0; x < 48; x++) {
                touched |= image[y * 48 + x] != 0;
            }
            rows += touched ? 1 : 0;
        }
        for (int x = 0; x < 48; x++) {
            boolean touched = false;
            for (int y = 0; y < 48; y++) {
                touched |= image[y * 48 + x] != 0;
            }
            columns += touched ? 1 : 0;
        }
        long erased = 0;
        for (float v : image) {
            erased += v != 0 ? 1 : 0;
        }
        // One rectangle of rows x columns, of 2-33% of the image
        assertThat(erased).isEqualTo((long) rows * columns);
        assertThat(erased).isBetween((long) (0.015 * 48 * 48), (long) (0.34 * 48 * 48));
    }

    @Test
    void shouldRefuseToResumeWithoutACheckpoint() {
        assertThatThrownBy(
                        () ->
                                new FashionMnistTrainer(
                                                options(1, true),
                                                new PrintStream(new ByteArrayOutputStream()))
                                        .train())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no checkpoint");
    }

    private int checkpointEpoch() throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(dir.resolve("checkpoints/checkpoint.properties"))) {
            p.load(in);
        }
        return Integer.parseInt(p.getProperty("epoch"));
    }
}
