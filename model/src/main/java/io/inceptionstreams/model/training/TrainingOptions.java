package io.inceptionstreams.model.training;

import java.nio.file.Path;

/**
 * Settings of a Fashion-MNIST training run.
 *
 * @param dataDir directory of the IDX files (Debian package dataset-fashion-mnist)
 * @param bundleDir where the trained bundle is written
 * @param checkpointDir where a checkpoint is written after every epoch (and read by resume)
 * @param epochs total epochs, counting those a resumed run already did
 * @param batchSize images per step
 * @param learningRate Adam's peak learning rate, reached after a linear warm-up
 * @param imageSize square input side; Fashion-MNIST's 28x28 images are resized to it
 * @param seed seeds weights, shuffling, dropout and augmentation
 * @param augment random horizontal flips and shifts of up to {@code maxShift} of the side
 * @param maxShift largest shift with {@code augment}, as a share of the side (1/16 = 0.0625: 3
 *     pixels at 48x48), in each direction; 0 for flips only
 * @param randomErasing probability of erasing a random rectangle of each training image (Zhong et
 *     al., 2017), after the flip and shift; 0 for none
 * @param labelSmoothing share of each target spread evenly over the classes; 0 for none
 * @param weightDecay L2 weight decay, added to each gradient as {@code weightDecay * weight} before
 *     Adam's update (coupled, as MXNet's {@code adam_update} applies it); 0 for none
 * @param decoupledWeightDecay weight decay apart from the gradient (AdamW): every step first scales
 *     each weight by {@code 1 - rate * decoupledWeightDecay}, {@code rate} being the step's
 *     learning rate; 0 for none
 * @param emaDecay decay of an exponential moving average of the weights, evaluated and shipped in
 *     their place (see {@link WeightAverage}); 0 for none
 * @param resume continue from the newest checkpoint in checkpointDir
 * @param stopAfter stop once this many epochs are done, 0 to run all {@code epochs}: the learning
 *     rate still follows the curve of {@code epochs}, so that a later {@code resume} continues
 *     exactly as if the run had not stopped
 * @param trainLimit use only the first N training images (0 = all), for smoke runs
 * @param evalLimit evaluate on the first N test images (0 = all 10,000)
 * @param evalEvery evaluate after every N-th epoch and after the run's last, 1 for every epoch; an
 *     epoch not evaluated has no test accuracy (NaN) in the history, and training does not depend
 *     on it
 * @param device auto, cpu or gpu:N
 * @param version version written into the bundle
 */
public record TrainingOptions(
        Path dataDir,
        Path bundleDir,
        Path checkpointDir,
        int epochs,
        int batchSize,
        float learningRate,
        int imageSize,
        long seed,
        boolean augment,
        float maxShift,
        float randomErasing,
        float labelSmoothing,
        float weightDecay,
        float decoupledWeightDecay,
        float emaDecay,
        boolean resume,
        int stopAfter,
        int trainLimit,
        int evalLimit,
        int evalEvery,
        String device,
        String version) {

    public TrainingOptions {
        if (epochs < 1
                || batchSize < 1
                || evalEvery < 1
                || imageSize < 16
                || learningRate <= 0
                || stopAfter < 0) {
            throw new IllegalArgumentException(
                    "epochs, batch size and eval-every must be >= 1, image size >= 16, learning"
                            + " rate > 0, stop-after >= 0");
        }
        if (randomErasing < 0 || randomErasing > 1 || labelSmoothing < 0 || labelSmoothing >= 1) {
            throw new IllegalArgumentException(
                    "random erasing must be in [0, 1] and label smoothing in [0, 1)");
        }
        if (!(maxShift >= 0 && maxShift <= 0.25f)) {
            throw new IllegalArgumentException("max shift must be in [0, 0.25] of the side");
        }
        if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be a finite number >= 0");
        }
        if (!(decoupledWeightDecay >= 0 && decoupledWeightDecay * learningRate < 1)) {
            throw new IllegalArgumentException(
                    "decoupled weight decay must be >= 0 and, times the learning rate, below 1");
        }
        if (!(emaDecay >= 0 && emaDecay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), 0 for none");
        }
    }

    /**
     * The options {@link FashionMnistTrainer#exportCheckpoint()} reads: where the checkpoints are,
     * the input side they were trained at, and the bundle to write. The training settings are
     * placeholders (the bundle records the checkpoint's own {@code trained.with}).
     */
    public static TrainingOptions forExport(
            Path dataDir, Path checkpointDir, int imageSize, Path bundleDir, String version) {
        return new TrainingOptions(
                dataDir,
                bundleDir,
                checkpointDir,
                1,
                1,
                0.001f,
                imageSize,
                0,
                false,
                0,
                0,
                0,
                0,
                0,
                0,
                true,
                0,
                0,
                0,
                1,
                "cpu",
                version);
    }

    /** The epoch this run stops after. */
    public int lastEpoch() {
        return stopAfter == 0 ? epochs : Math.min(epochs, stopAfter);
    }

    /** Whether the test set is evaluated after {@code epoch} (1-based). */
    public boolean evaluatesAfter(int epoch) {
        return epoch % evalEvery == 0 || epoch == lastEpoch();
    }
}
