package io.inceptionstreams.model.googlenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Local response normalisation across channels, as in AlexNet and the reference bvlc_googlenet
 * deploy file: {@code b = a / (k + alpha / n * sum(a^2 over n neighbouring channels))^beta}.
 *
 * <p>DJL has no LRN block, and MXNet's own {@code LRN} operator, while fast forward, has a slow
 * backward pass on CPU (about 0.85 s for a 128x192x16x16 batch here, more than the convolutions
 * around it). So there are two routes to the same formula, chosen by mode:
 *
 * <ul>
 *   <li>inference on MXNet: the {@code LRN} operator;
 *   <li>training, and any other engine: the channel-window sum as a 1x1 convolution of the squares
 *       with a fixed band matrix ({@code alpha / n} where {@code |i - j| <= n / 2}, else 0), which
 *       runs on the engine's fast convolution kernels both ways (2-3x faster to train here).
 * </ul>
 */
public final class LocalResponseNorm extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int size;
    private final float alpha;
    private final float beta;
    private final float k;

    /** The paper's setting: size 5, alpha 1e-4, beta 0.75, k 1. */
    public LocalResponseNorm() {
        this(5, 1e-4f, 0.75f, 1f);
    }

    public LocalResponseNorm(int size, float alpha, float beta, float k) {
        super(VERSION);
        if (size < 1 || size % 2 == 0) {
            throw new IllegalArgumentException("LRN size must be a positive odd number: " + size);
        }
        this.size = size;
        this.alpha = alpha;
        this.beta = beta;
        this.k = k;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (!training && "MXNet".equals(x.getManager().getEngine().getEngineName())) {
            return x.getManager().invoke("LRN", inputs, mxnetParameters());
        }
        return new NDList(banded(x));
    }

    /** The MXNet {@code LRN} operator's attributes; also used by {@link SymbolGraph}. */
    PairList<String, Object> mxnetParameters() {
        PairList<String, Object> parameters = new PairList<>();
        parameters.add("alpha", alpha);
        parameters.add("beta", beta);
        parameters.add("knorm", k);
        parameters.add("nsize", size);
        return parameters;
    }

    /** The convolution route; package-private so the test checks both routes. */
    NDArray banded(NDArray x) {
        int channels = (int) x.getShape().get(1);
        float[] band = new float[channels * channels];
        for (int out = 0; out < channels; out++) {
            int from = Math.max(0, out - size / 2);
            int to = Math.min(channels - 1, out + size / 2);
            for (int in = from; in <= to; in++) {
                band[out * channels + in] = alpha / size;
            }
        }
        NDArray weight =
                x.getManager()
                        .create(band, new Shape(channels, channels, 1, 1))
                        .toDevice(x.getDevice(), false);
        NDArray scaledSum =
                Conv2d.conv2d(x.square(), weight, null, new Shape(1, 1), new Shape(0, 0))
                        .singletonOrThrow();
        return x.div(scaledSum.add(k).pow(beta));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public String toString() {
        return "LocalResponseNorm(size=" + size + ", alpha=" + alpha + ", beta=" + beta + ")";
    }
}
