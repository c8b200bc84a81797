package io.inceptionstreams.model.googlenet;

import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The inception module of Szegedy et al. (2014), figure 2(b): four parallel branches over the same
 * input, concatenated on the channel axis.
 *
 * <ol>
 *   <li>1x1 convolution;
 *   <li>1x1 reduction, then 3x3 convolution;
 *   <li>1x1 reduction, then 5x5 convolution;
 *   <li>3x3 max pooling (stride 1, padded), then a 1x1 projection.
 * </ol>
 *
 * The 1x1 reductions are what keep the module cheap: they shrink the channel count before the
 * expensive 3x3 and 5x5 convolutions.
 */
public final class InceptionModule extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Channels channels;
    private final Block[] branches;

    /**
     * The channel counts of one module, named as the columns of the paper's Table 1.
     *
     * @param conv1x1 "#1x1"
     * @param reduce3x3 "#3x3 reduce"
     * @param conv3x3 "#3x3"
     * @param reduce5x5 "#5x5 reduce"
     * @param conv5x5 "#5x5"
     * @param poolProjection "pool proj"
     */
    public record Channels(
            int conv1x1,
            int reduce3x3,
            int conv3x3,
            int reduce5x5,
            int conv5x5,
            int poolProjection) {

        /** Output depth: the four branches concatenated. */
        public int output() {
            return conv1x1 + conv3x3 + conv5x5 + poolProjection;
        }
    }

    public InceptionModule(Channels channels, boolean batchNorm) {
        super(VERSION);
        this.channels = channels;
        SequentialBlock pool =
                new SequentialBlock()
                        .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(1, 1), new Shape(1, 1)))
                        .add(Layers.conv(channels.poolProjection(), 1, 1, batchNorm));
        branches =
                new Block[] {
                    addChildBlock("1x1", Layers.conv(channels.conv1x1(), 1, 1, batchNorm)),
                    addChildBlock(
                            "3x3",
                            new SequentialBlock()
                                    .add(Layers.conv(channels.reduce3x3(), 1, 1, batchNorm))
                                    .add(Layers.conv(channels.conv3x3(), 3, 1, batchNorm))),
                    addChildBlock(
                            "5x5",
                            new SequentialBlock()
                                    .add(Layers.conv(channels.reduce5x5(), 1, 1, batchNorm))
                                    .add(Layers.conv(channels.conv5x5(), 5, 1, batchNorm))),
                    addChildBlock("pool_proj", pool)
                };
    }

    public Channels channels() {
        return channels;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDList outputs = new NDList(branches.length);
        for (Block branch : branches) {
            outputs.add(
                    branch.forward(parameterStore, inputs, training, params).singletonOrThrow());
        }
        return concat(outputs);
    }

    /**
     * Joins the branches on the channel axis. On MXNet this is the legacy {@code Concat} operator,
     * which oneDNN implements and which keeps oneDNN's blocked memory layout; DJL's generic {@link
     * NDArrays#concat} is the numpy {@code _npi_concatenate}, whose plain NCHW output sends the
     * next max pool to oneDNN's reference kernel ({@code simple_nchw}, 10-20x slower than the JIT
     * one) and forces a layout reorder before every following convolution. Same values either way;
     * the route alone made inference about 2x faster at 224x224 (see {@code ClassifierBenchmark}).
     */
    static NDList concat(NDList branches) {
        NDManager manager = branches.head().getManager();
        if ("MXNet".equals(manager.getEngine().getEngineName())) {
            PairList<String, Object> parameters = new PairList<>();
            parameters.add("dim", 1);
            parameters.add("num_args", branches.size());
            return manager.invoke("Concat", branches, parameters);
        }
        return new NDList(NDArrays.concat(branches, 1));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block branch : branches) {
            branch.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), channels.output(), in.get(2), in.get(3))};
    }
}
