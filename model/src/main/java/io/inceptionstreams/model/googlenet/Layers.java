package io.inceptionstreams.model.googlenet;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

/** The convolution unit every GoogLeNet layer is made of: conv, optional batch norm, ReLU. */
final class Layers {

    private Layers() {}

    /**
     * A square convolution with "same"-style padding ({@code kernel / 2}), followed by ReLU. With
     * {@code batchNorm} the convolution loses its bias and a batch norm sits before the ReLU, as in
     * torchvision's and GluonCV's variants.
     */
    static SequentialBlock conv(int filters, int kernel, int stride, boolean batchNorm) {
        SequentialBlock block = new SequentialBlock();
        block.add(
                Conv2d.builder()
                        .setFilters(filters)
                        .setKernelShape(new Shape(kernel, kernel))
                        .optStride(new Shape(stride, stride))
                        .optPadding(new Shape(kernel / 2, kernel / 2))
                        .optBias(!batchNorm)
                        .build());
        if (batchNorm) {
            block.add(BatchNorm.builder().build());
        }
        block.add(Activation::relu);
        return block;
    }
}
