package io.inceptionstreams.model.googlenet;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GoogLeNet, the 22-layer network of Szegedy et al., "Going Deeper with Convolutions" (2014),
 * exactly as the paper's Table 1 and the reference bvlc_googlenet deploy file: a 7x7/2 stem, LRN, a
 * 1x1 + 3x3 convolution pair, nine inception modules in three stages separated by 3x3/2 max pools,
 * global average pooling (which is what lets inputs smaller than 224x224 work), dropout 0.4 and one
 * linear layer.
 *
 * <p>The network returns logits; softmax is applied by the loss in training and by the classifier
 * in serving. With {@link Builder#optAuxiliaryClassifiers(boolean)} and {@code training == true}
 * the output list also holds the logits of the two side classifiers (on 4a, then on 4d); at
 * inference they are never computed and their parameters never leave the training checkpoint.
 *
 * <p>Pools use Caffe's ceiling rounding, so a 224x224 input yields 112, 56, 28, 14 and 7 pixel maps
 * as in Table 1.
 */
public final class GoogLeNet extends AbstractBlock {

    private static final byte VERSION = 1;

    /** Table 1, inception rows: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj. */
    static final Map<String, InceptionModule.Channels> INCEPTION_CHANNELS = inceptionChannels();

    private final List<Layer> layers = new ArrayList<>();
    private final Map<String, AuxiliaryClassifier> auxiliaryHeads = new LinkedHashMap<>();
    private final int numClasses;
    private final int inputChannels;

    /** One row of the paper's Table 1: a named stage of the main path. */
    public record Layer(String name, String type, String patch, Block block) {}

    private GoogLeNet(Builder builder) {
        super(VERSION);
        this.numClasses = builder.numClasses;
        this.inputChannels = builder.inputChannels;
        boolean bn = builder.batchNorm;

        layer("conv1", "convolution", "7x7/2", Layers.conv(64, 7, 2, bn));
        layer("pool1", "max pool", "3x3/2", maxPool(2));
        layer("norm1", "LRN", "", new LocalResponseNorm());
        layer("conv2_reduce", "convolution", "1x1/1", Layers.conv(64, 1, 1, bn));
        layer("conv2", "convolution", "3x3/1", Layers.conv(192, 3, 1, bn));
        layer("norm2", "LRN", "", new LocalResponseNorm());
        layer("pool2", "max pool", "3x3/2", maxPool(2));
        inception("3a", bn);
        inception("3b", bn);
        layer("pool3", "max pool", "3x3/2", maxPool(2));
        inception("4a", bn);
        inception("4b", bn);
        inception("4c", bn);
        inception("4d", bn);
        inception("4e", bn);
        layer("pool4", "max pool", "3x3/2", maxPool(2));
        inception("5a", bn);
        inception("5b", bn);
        layer(
                "avg_pool",
                "avg pool",
                "global",
                new SequentialBlock()
                        .add(Pool.globalAvgPool2dBlock())
                        .add(Blocks.batchFlattenBlock()));
        layer("dropout", "dropout (" + builder.dropout + ")", "", dropout(builder.dropout));
        layer("linear", "linear", "", Linear.builder().setUnits(numClasses).build());

        if (builder.auxiliaryClassifiers) {
            for (String after : List.of("inception_4a", "inception_4d")) {
                auxiliaryHeads.put(
                        after,
                        addChildBlock("aux_" + after, new AuxiliaryClassifier(numClasses, bn)));
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The main path in order, one entry per row of Table 1 (softmax excluded). */
    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    public int numClasses() {
        return numClasses;
    }

    public int inputChannels() {
        return inputChannels;
    }

    public boolean hasAuxiliaryClassifiers() {
        return !auxiliaryHeads.isEmpty();
    }

    /** Whether a parameter (by its name in {@link #getParameters()}) belongs to a side head. */
    public static boolean isAuxiliaryParameter(String parameterName) {
        return parameterName.matches("^\\d+aux_.*");
    }

    private void layer(String name, String type, String patch, Block block) {
        layers.add(new Layer(name, type, patch, addChildBlock(name, block)));
    }

    private void inception(String id, boolean batchNorm) {
        layer(
                "inception_" + id,
                "inception (" + id + ")",
                "",
                new InceptionModule(INCEPTION_CHANNELS.get(id), batchNorm));
    }

    private static Block maxPool(int stride) {
        return Pool.maxPool2dBlock(
                new Shape(3, 3), new Shape(stride, stride), new Shape(0, 0), true);
    }

    private static Block dropout(float rate) {
        return Dropout.builder().optRate(rate).build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDList x = inputs;
        NDList auxiliaryLogits = new NDList();
        for (Layer layer : layers) {
            x = layer.block().forward(parameterStore, x, training, params);
            AuxiliaryClassifier head = training ? auxiliaryHeads.get(layer.name()) : null;
            if (head != null) {
                auxiliaryLogits.addAll(head.forward(parameterStore, x, true, params));
            }
        }
        return x.addAll(auxiliaryLogits);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Layer layer : layers) {
            layer.block().initialize(manager, dataType, shapes);
            shapes = layer.block().getOutputShapes(shapes);
            AuxiliaryClassifier head = auxiliaryHeads.get(layer.name());
            if (head != null) {
                head.initialize(manager, dataType, shapes);
            }
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Layer layer : layers) {
            shapes = layer.block().getOutputShapes(shapes);
        }
        return shapes;
    }

    private static Map<String, InceptionModule.Channels> inceptionChannels() {
        Map<String, InceptionModule.Channels> table = new LinkedHashMap<>();
        table.put("3a", new InceptionModule.Channels(64, 96, 128, 16, 32, 32));
        table.put("3b", new InceptionModule.Channels(128, 128, 192, 32, 96, 64));
        table.put("4a", new InceptionModule.Channels(192, 96, 208, 16, 48, 64));
        table.put("4b", new InceptionModule.Channels(160, 112, 224, 24, 64, 64));
        table.put("4c", new InceptionModule.Channels(128, 128, 256, 24, 64, 64));
        table.put("4d", new InceptionModule.Channels(112, 144, 288, 32, 64, 64));
        table.put("4e", new InceptionModule.Channels(256, 160, 320, 32, 128, 128));
        table.put("5a", new InceptionModule.Channels(256, 160, 320, 32, 128, 128));
        table.put("5b", new InceptionModule.Channels(384, 192, 384, 48, 128, 128));
        return Collections.unmodifiableMap(table);
    }

    /** Builds a {@link GoogLeNet}: {@code set*} for what is required, {@code opt*} for the rest. */
    public static final class Builder {
        private int numClasses = -1;
        private int inputChannels = 3;
        private boolean auxiliaryClassifiers;
        private float dropout = 0.4f;
        private boolean batchNorm;

        private Builder() {}

        public Builder setNumClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        /** Channels of the input image: 3 (RGB, the paper) or 1 (grayscale). Default 3. */
        public Builder optInputChannels(int inputChannels) {
            this.inputChannels = inputChannels;
            return this;
        }

        /** Adds the two training-only side classifiers on 4a and 4d. Default off. */
        public Builder optAuxiliaryClassifiers(boolean auxiliaryClassifiers) {
            this.auxiliaryClassifiers = auxiliaryClassifiers;
            return this;
        }

        /** Dropout before the final linear layer. Default 0.4, the paper's. */
        public Builder optDropout(float dropout) {
            this.dropout = dropout;
            return this;
        }

        /**
         * Batch norm after every convolution (convolutions then drop their bias), as in
         * torchvision's and GluonCV's GoogLeNet. Not the paper's network; default off.
         */
        public Builder optBatchNorm(boolean batchNorm) {
            this.batchNorm = batchNorm;
            return this;
        }

        public GoogLeNet build() {
            if (numClasses < 1) {
                throw new IllegalArgumentException(
                        "GoogLeNet needs setNumClasses(n) with n >= 1, got " + numClasses);
            }
            if (inputChannels != 1 && inputChannels != 3) {
                throw new IllegalArgumentException(
                        "input channels must be 1 or 3, got " + inputChannels);
            }
            if (dropout < 0f || dropout >= 1f) {
                throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
            }
            return new GoogLeNet(this);
        }
    }
}
