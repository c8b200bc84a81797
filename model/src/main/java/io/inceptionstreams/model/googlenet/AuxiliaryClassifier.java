package io.inceptionstreams.model.googlenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One of the two training-only side classifiers on inception 4a and 4d (paper, section 5): 5x5/3
 * average pooling, 1x1 convolution with 128 filters, a 1024-unit fully connected layer, dropout
 * 0.7, and a linear classifier. Their loss is added with weight 0.3 to push gradient into the
 * middle of the network; they are discarded at inference.
 *
 * <p>The paper's 5x5/3 pool assumes the 14x14 maps of a 224x224 input. On smaller inputs (a 64x64
 * Fashion-MNIST image gives 4x4 maps) that window does not fit, so the pool becomes a global
 * average: the head then sees the same kind of summary, only coarser.
 */
public final class AuxiliaryClassifier extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final int POOL_SIZE = 5;
    private static final int POOL_STRIDE = 3;

    private final SequentialBlock head;

    public AuxiliaryClassifier(int numClasses, boolean batchNorm) {
        super(VERSION);
        head =
                addChildBlock(
                        "head",
                        new SequentialBlock()
                                .add(Layers.conv(128, 1, 1, batchNorm))
                                .add(Blocks.batchFlattenBlock())
                                .add(Linear.builder().setUnits(1024).build())
                                .add(Activation::relu)
                                .add(Dropout.builder().optRate(0.7f).build())
                                .add(Linear.builder().setUnits(numClasses).build()));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray pooled =
                fitsPaperPool(x.getShape())
                        ? Pool.avgPool2d(
                                x,
                                new Shape(POOL_SIZE, POOL_SIZE),
                                new Shape(POOL_STRIDE, POOL_STRIDE),
                                new Shape(0, 0),
                                false,
                                true)
                        : Pool.globalAvgPool2d(x).reshape(x.getShape().get(0), -1, 1, 1);
        return head.forward(parameterStore, new NDList(pooled), training, params);
    }

    private static boolean fitsPaperPool(Shape shape) {
        return shape.get(2) >= POOL_SIZE && shape.get(3) >= POOL_SIZE;
    }

    static Shape pooledShape(Shape in) {
        if (!fitsPaperPool(in)) {
            return new Shape(in.get(0), in.get(1), 1, 1);
        }
        long h = (in.get(2) - POOL_SIZE) / POOL_STRIDE + 1;
        long w = (in.get(3) - POOL_SIZE) / POOL_STRIDE + 1;
        return new Shape(in.get(0), in.get(1), h, w);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        head.initialize(manager, dataType, pooledShape(inputShapes[0]));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return head.getOutputShapes(new Shape[] {pooledShape(inputShapes[0])});
    }
}
