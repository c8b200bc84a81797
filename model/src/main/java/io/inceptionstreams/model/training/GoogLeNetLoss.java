package io.inceptionstreams.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;

/**
 * The paper's training loss: softmax cross-entropy of the main classifier plus, when the network
 * returns them, the side classifiers' losses weighted 0.3 each (section 5).
 */
final class GoogLeNetLoss extends Loss {

    static final float AUXILIARY_WEIGHT = 0.3f;

    private final Loss crossEntropy = new SoftmaxCrossEntropyLoss("cross_entropy");

    GoogLeNetLoss() {
        super("googlenet_loss");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray total = crossEntropy.evaluate(labels, new NDList(predictions.get(0)));
        for (int i = 1; i < predictions.size(); i++) {
            total =
                    total.add(
                            crossEntropy
                                    .evaluate(labels, new NDList(predictions.get(i)))
                                    .mul(AUXILIARY_WEIGHT));
        }
        return total;
    }
}
