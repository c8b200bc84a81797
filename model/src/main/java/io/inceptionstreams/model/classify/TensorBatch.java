package io.inceptionstreams.model.classify;

import io.inceptionstreams.model.preprocess.InputSpec;

/**
 * {@code count} preprocessed images laid end to end, each {@link InputSpec#size()} floats in CHW
 * order, as {@link io.inceptionstreams.model.preprocess.ImagePreprocessor} writes them. The array
 * may be longer than needed, so a batch buffer can be reused.
 */
public record TensorBatch(float[] data, int count) {

    public TensorBatch {
        if (count < 1) {
            throw new IllegalArgumentException("a batch holds at least one image, got " + count);
        }
    }

    void checkFits(InputSpec spec) {
        long needed = (long) count * spec.size();
        if (data.length < needed) {
            throw new IllegalArgumentException(
                    String.format(
                            "batch of %d images needs %d floats (%dx%dx%d each), got %d",
                            count,
                            needed,
                            spec.channels(),
                            spec.height(),
                            spec.width(),
                            data.length));
        }
    }
}
