package io.inceptionstreams.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * An exponential moving average of a network's trainable weights (Polyak averaging), taken after
 * every optimizer step: {@code average = d * average + (1 - d) * weight}. The averaged weights are
 * what is evaluated and shipped; training goes on with the raw ones. Early on, while the average
 * would still be mostly its starting point, the decay is {@code min(d, (1 + t) / (10 + t))} at
 * update {@code t}, so the first updates weigh more.
 *
 * <p>The averages live on the manager given (the run's), one array per trainable parameter, in the
 * order of {@link Block#getParameters()}.
 */
final class WeightAverage {

    private final float decay;
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<NDArray> averages = new ArrayList<>();
    private long updates;

    /**
     * Starts the average at the network's current weights.
     *
     * @param decay the share of the average kept at each update, in (0, 1)
     * @param updatesDone updates already taken (for a resumed run), which set the early decay
     */
    WeightAverage(Block network, NDManager manager, float decay, long updatesDone) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("weight average decay must be in (0, 1): " + decay);
        }
        this.decay = decay;
        this.updates = updatesDone;
        for (Pair<String, Parameter> entry : network.getParameters()) {
            Parameter parameter = entry.getValue();
            if (parameter.requiresGradient()) {
                NDArray weight = parameter.getArray();
                NDArray average = manager.create(weight.getShape(), weight.getDataType());
                weight.copyTo(average);
                parameters.add(parameter);
                averages.add(average);
            }
        }
    }

    /** The decay of the next update. */
    float nextDecay() {
        return Math.min(decay, (1f + updates) / (10f + updates));
    }

    /** Moves the average towards the current weights; call after every optimizer step. */
    void update() {
        float d = nextDecay();
        for (int i = 0; i < parameters.size(); i++) {
            NDArray average = averages.get(i);
            average.muli(d);
            try (NDArray share = parameters.get(i).getArray().mul(1 - d)) {
                average.addi(share);
            }
        }
        updates++;
    }

    /**
     * Exchanges the network's weights and the averages, in place: once to put the averaged weights
     * in the network (to evaluate, checkpoint or ship them), once more to put the raw ones back.
     */
    void swap() {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray weight = parameters.get(i).getArray();
            NDArray average = averages.get(i);
            try (NDArray raw = weight.duplicate()) {
                average.copyTo(weight);
                raw.copyTo(average);
            }
        }
    }
}
