package io.inceptionstreams.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;

/**
 * The paper's training loss: softmax cross-entropy of the main classifier plus, when the network
 * returns them, the side classifiers' losses weighted 0.3 each (section 5). With label smoothing
 * {@code e} (Szegedy et al., "Rethinking the Inception Architecture", 2016) the target of each
 * image is {@code 1 - e} on its class plus {@code e} spread evenly over all classes.
 */
final class GoogLeNetLoss extends Loss {

    static final float AUXILIARY_WEIGHT = 0.3f;

    private final float smoothing;
    private final Loss crossEntropy;

    /** Without label smoothing. */
    GoogLeNetLoss() {
        this(0);
    }

    GoogLeNetLoss(float smoothing) {
        super("googlenet_loss");
        if (smoothing < 0 || smoothing >= 1) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1): " + smoothing);
        }
        this.smoothing = smoothing;
        // Sparse labels (class indices) without smoothing, a distribution over classes with it.
        this.crossEntropy =
                new SoftmaxCrossEntropyLoss("cross_entropy", 1, -1, smoothing == 0, true);
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDList targets = labels;
        if (smoothing > 0) {
            long classes = predictions.get(0).getShape().get(1);
            float off = smoothing / classes;
            targets =
                    new NDList(
                            labels.singletonOrThrow()
                                    .oneHot(
                                            (int) classes,
                                            1 - smoothing + off,
                                            off,
                                            DataType.FLOAT32));
        }
        NDArray total = crossEntropy.evaluate(targets, new NDList(predictions.get(0)));
        for (int i = 1; i < predictions.size(); i++) {
            total =
                    total.add(
                            crossEntropy
                                    .evaluate(targets, new NDList(predictions.get(i)))
                                    .mul(AUXILIARY_WEIGHT));
        }
        return total;
    }
}
