package io.inceptionstreams.model.preprocess;

/**
 * The source taps and weights that produce each output sample along one axis, for a resize of
 * {@code sourceLength} samples to {@code resizedLength} of which only {@code [cropOffset,
 * cropOffset + outputLength)} is kept.
 *
 * <p>Sample centers are aligned (sample {@code i} sits at {@code i + 0.5}), so a resize by 1 is the
 * identity and the image does not shift by half a pixel. Up to a 2x reduction the filter is
 * bilinear with clamped edges. Beyond 2x it is an area average over each output sample's footprint,
 * because bilinear would then skip source samples and alias; at exactly 2x both filters give the
 * same weights, so the switch is seamless.
 */
final class AxisResampler {

    /** First source index of each output sample. */
    final int[] start;

    /** Number of taps of each output sample, at most {@link #stride}. */
    final int[] count;

    /** Weights, {@code stride} per output sample, summing to 1. */
    final float[] weights;

    final int stride;

    AxisResampler(int sourceLength, int resizedLength, int cropOffset, int outputLength) {
        double factor = (double) sourceLength / resizedLength;
        start = new int[outputLength];
        count = new int[outputLength];
        if (factor > 2) {
            stride = (int) Math.ceil(factor) + 1;
            weights = new float[outputLength * stride];
            for (int i = 0; i < outputLength; i++) {
                double lo = (i + cropOffset) * factor;
                double hi = Math.min(sourceLength, lo + factor);
                int first = (int) Math.floor(lo);
                int last = Math.min(sourceLength - 1, (int) Math.ceil(hi) - 1);
                start[i] = first;
                count[i] = last - first + 1;
                for (int j = first; j <= last; j++) {
                    double overlap = Math.min(j + 1, hi) - Math.max(j, lo);
                    weights[i * stride + j - first] = (float) (overlap / (hi - lo));
                }
            }
        } else {
            stride = 2;
            weights = new float[outputLength * stride];
            for (int i = 0; i < outputLength; i++) {
                double center = (i + cropOffset + 0.5) * factor - 0.5;
                center = Math.max(0, Math.min(sourceLength - 1, center));
                int first = (int) Math.floor(center);
                float t = (float) (center - first);
                start[i] = first;
                if (first + 1 < sourceLength && t > 0) {
                    count[i] = 2;
                    weights[i * stride] = 1 - t;
                    weights[i * stride + 1] = t;
                } else {
                    count[i] = 1;
                    weights[i * stride] = 1;
                }
            }
        }
    }

    /** The first source index any output sample reads. */
    int firstSource() {
        return start[0];
    }

    /** One past the last source index any output sample reads. */
    int endSource() {
        int end = 0;
        for (int i = 0; i < start.length; i++) {
            end = Math.max(end, start[i] + count[i]);
        }
        return end;
    }
}
