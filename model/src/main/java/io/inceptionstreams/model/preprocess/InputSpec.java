package io.inceptionstreams.model.preprocess;

import java.util.Arrays;

/**
 * The tensor a model expects: {@code channels x height x width} floats, each pixel scaled to 0..1
 * and then normalized per channel as {@code (x - mean[c]) / std[c]}.
 *
 * <p>The arrays are copied in and out so that a spec, once built, cannot change under a running
 * preprocessor.
 *
 * @param channels 1 (grayscale) or 3 (RGB, in that order)
 */
public record InputSpec(int width, int height, int channels, float[] mean, float[] std) {

    public InputSpec {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "input size must be positive, got " + width + "x" + height);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException(
                    "channels must be 1 (grayscale) or 3 (RGB), got " + channels);
        }
        if (mean == null || mean.length != channels) {
            throw new IllegalArgumentException(
                    "mean needs one value per channel ("
                            + channels
                            + "), got "
                            + (mean == null ? "null" : Arrays.toString(mean)));
        }
        if (std == null || std.length != channels) {
            throw new IllegalArgumentException(
                    "std needs one value per channel ("
                            + channels
                            + "), got "
                            + (std == null ? "null" : Arrays.toString(std)));
        }
        for (int c = 0; c < channels; c++) {
            if (!Float.isFinite(mean[c])) {
                throw new IllegalArgumentException(
                        "mean must be finite, got " + Arrays.toString(mean));
            }
            if (!(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException(
                        "std must be positive and finite, got " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** The number of floats one preprocessed image occupies. */
    public int size() {
        return channels * height * width;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputSpec other
                && width == other.width
                && height == other.height
                && channels == other.channels
                && Arrays.equals(mean, other.mean)
                && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * ((31 * width + height) * 31 + channels) + Arrays.hashCode(mean))
                + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "InputSpec["
                + width
                + "x"
                + height
                + "x"
                + channels
                + ", mean="
                + Arrays.toString(mean)
                + ", std="
                + Arrays.toString(std)
                + "]";
    }
}
