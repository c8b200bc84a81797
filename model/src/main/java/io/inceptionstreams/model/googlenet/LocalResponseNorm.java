package io.inceptionstreams.model.googlenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Local response normalisation across channels, as in AlexNet and the reference bvlc_googlenet
 * deploy file: {@code b = a / (k + alpha / n * sum(a^2 over n neighbouring channels))^beta}.
 *
 * <p>DJL has no LRN block. The channel-window sum is computed as an average pool over the channel
 * axis with zero padding counted, so {@code alpha / n * sum == alpha * mean}; this keeps it on
 * engine-neutral operators that autograd understands.
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

    public int size() {
        return size;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        long n = shape.get(0);
        long c = shape.get(1);
        long hw = shape.get(2) * shape.get(3);
        NDArray squares = x.square().reshape(n, 1, c, hw);
        NDArray windowMean =
                Pool.avgPool2d(
                                squares,
                                new Shape(size, 1),
                                new Shape(1, 1),
                                new Shape(size / 2, 0),
                                false,
                                true)
                        .reshape(shape);
        NDArray denominator = windowMean.mul(alpha).add(k).pow(beta);
        return new NDList(x.div(denominator));
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
