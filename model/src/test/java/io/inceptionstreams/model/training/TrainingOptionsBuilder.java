package io.inceptionstreams.model.training;

import io.inceptionstreams.model.fashionmnist.FashionMnist;
import java.nio.file.Path;

/** {@link TrainingOptions} for tests: train's defaults on the CPU, each changed by name. */
final class TrainingOptionsBuilder {
    private Path dataDir = FashionMnist.defaultDir();
    private Path bundleDir = Path.of("bundle");
    private Path checkpointDir = Path.of("checkpoints");
    private int epochs = 6;
    private int batchSize = 128;
    private long seed = 42;
    private float randomErasing;
    private float labelSmoothing;
    private float weightDecay;
    private float decoupledWeightDecay;
    private float emaDecay;
    private boolean resume;
    private int stopAfter;
    private int trainLimit;
    private int evalLimit;
    private int evalEvery = 1;

    TrainingOptionsBuilder bundleDir(Path dir) {
        bundleDir = dir;
        return this;
    }

    TrainingOptionsBuilder checkpointDir(Path dir) {
        checkpointDir = dir;
        return this;
    }

    TrainingOptionsBuilder epochs(int n) {
        epochs = n;
        return this;
    }

    TrainingOptionsBuilder batchSize(int n) {
        batchSize = n;
        return this;
    }

    TrainingOptionsBuilder seed(long n) {
        seed = n;
        return this;
    }

    TrainingOptionsBuilder randomErasing(float p) {
        randomErasing = p;
        return this;
    }

    TrainingOptionsBuilder labelSmoothing(float e) {
        labelSmoothing = e;
        return this;
    }

    TrainingOptionsBuilder weightDecay(float w) {
        weightDecay = w;
        return this;
    }

    TrainingOptionsBuilder decoupledWeightDecay(float w) {
        decoupledWeightDecay = w;
        return this;
    }

    TrainingOptionsBuilder emaDecay(float d) {
        emaDecay = d;
        return this;
    }

    TrainingOptionsBuilder resume(boolean on) {
        resume = on;
        return this;
    }

    TrainingOptionsBuilder stopAfter(int n) {
        stopAfter = n;
        return this;
    }

    TrainingOptionsBuilder trainLimit(int n) {
        trainLimit = n;
        return this;
    }

    TrainingOptionsBuilder evalLimit(int n) {
        evalLimit = n;
        return this;
    }

    TrainingOptionsBuilder evalEvery(int n) {
        evalEvery = n;
        return this;
    }

    TrainingOptions build() {
        return new TrainingOptions(
                dataDir,
                bundleDir,
                checkpointDir,
                epochs,
                batchSize,
                1e-3f,
                48,
                seed,
                true,
                0.0625f,
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
                "cpu",
                "0.0.1-test");
    }
}
