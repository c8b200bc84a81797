package io.inceptionstreams.model.preprocess;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns an image into the normalized CHW float tensor an {@link InputSpec} describes: convert to
 * the model's channel count, resize so the image just covers the target (the shorter side for a
 * square target), center-crop, then scale to 0..1 and normalize per channel.
 *
 * <p>The resize is implemented here (see {@link AxisResampler}) instead of with Graphics2D, whose
 * scaling differs across JDKs and rendering pipelines; training and serving must produce the same
 * floats for the same image. Only the source rows and columns under the crop are read, and the
 * separable filter streams row by row into the output, so the working memory is a few rows
 * regardless of the source size.
 *
 * <p>Immutable and thread-safe.
 */
public final class ImagePreprocessor {

    private final InputSpec spec;
    private final ImageDecoder decoder;
    private final float[] scale;
    private final float[] shift;

    public ImagePreprocessor(InputSpec spec, ImageLimits limits) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.decoder = new ImageDecoder(limits);
        float[] mean = spec.mean();
        float[] std = spec.std();
        scale = new float[spec.channels()];
        shift = new float[spec.channels()];
        for (int c = 0; c < spec.channels(); c++) {
            // (v / 255 - mean) / std folded into one multiply-add per value.
            scale[c] = 1f / (255f * std[c]);
            shift[c] = -mean[c] / std[c];
        }
    }

    public InputSpec spec() {
        return spec;
    }

    public ImageLimits limits() {
        return decoder.limits();
    }

    /** Decodes an encoded image, upright; see {@link ImageDecoder#decode(byte[])}. */
    public BufferedImage decode(byte[] encoded) throws ImageRejectedException {
        return decoder.decode(encoded);
    }

    /**
     * Decodes an encoded image with its declared content type (nullable); see {@link
     * ImageDecoder#decode(byte[], String)}.
     */
    public BufferedImage decode(byte[] encoded, String contentType) throws ImageRejectedException {
        return decoder.decode(encoded, contentType);
    }

    /** Decodes and preprocesses an encoded image into a new CHW array. */
    public float[] preprocess(byte[] encoded) throws ImageRejectedException {
        return preprocess(encoded, null);
    }

    /**
     * Decodes, with its declared content type (nullable), and preprocesses an encoded image,
     * holding the image's share of the decode budget (see {@link ImageDecoder}) until it is
     * resized, so the budget bounds every raster this preprocessor's threads hold.
     */
    public float[] preprocess(byte[] encoded, String contentType) throws ImageRejectedException {
        return decoder.decode(encoded, contentType, this::preprocess);
    }

    /** Returns a new array of {@link InputSpec#size()} floats, CHW. */
    public float[] preprocess(BufferedImage image) {
        float[] out = new float[spec.size()];
        preprocess(image, out, 0);
        return out;
    }

    /**
     * Writes {@link InputSpec#size()} floats, CHW, into {@code out} from {@code offset}, so a batch
     * buffer can be filled in place.
     */
    public void preprocess(BufferedImage image, float[] out, int offset) {
        Objects.requireNonNull(image, "image");
        Objects.checkFromIndexSize(offset, spec.size(), out.length);
        int srcW = image.getWidth();
        int srcH = image.getHeight();
        int dstW = spec.width();
        int dstH = spec.height();
        int channels = spec.channels();

        double cover = Math.max((double) dstW / srcW, (double) dstH / srcH);
        int resizedW = Math.max(dstW, (int) Math.round(srcW * cover));
        int resizedH = Math.max(dstH, (int) Math.round(srcH * cover));
        AxisResampler horizontal = new AxisResampler(srcW, resizedW, (resizedW - dstW) / 2, dstW);
        AxisResampler vertical = new AxisResampler(srcH, resizedH, (resizedH - dstH) / 2, dstH);

        int x0 = horizontal.firstSource();
        int span = horizontal.endSource() - x0;
        PixelRowReader reader = PixelRowReader.of(image, channels, x0, span);
        float[] row = new float[channels * span];
        float[] resampledRow = new float[channels * dstW];
        int plane = dstW * dstH;
        Arrays.fill(out, offset, offset + spec.size(), 0f);

        int firstOpen = 0;
        int endY = vertical.endSource();
        for (int y = vertical.firstSource(); y < endY; y++) {
            reader.read(y, row);
            resampleRow(horizontal, row, span, x0, resampledRow, dstW, channels);
            while (firstOpen < dstH - 1
                    && vertical.start[firstOpen] + vertical.count[firstOpen] <= y) {
                firstOpen++;
            }
            for (int i = firstOpen; i < dstH && vertical.start[i] <= y; i++) {
                int tap = y - vertical.start[i];
                if (tap >= vertical.count[i]) {
                    continue;
                }
                float w = vertical.weights[i * vertical.stride + tap];
                for (int c = 0; c < channels; c++) {
                    int o = offset + c * plane + i * dstW;
                    int r = c * dstW;
                    for (int x = 0; x < dstW; x++) {
                        out[o + x] += w * resampledRow[r + x];
                    }
                }
            }
        }

        for (int c = 0; c < channels; c++) {
            float s = scale[c];
            float t = shift[c];
            int end = offset + (c + 1) * plane;
            for (int p = offset + c * plane; p < end; p++) {
                out[p] = out[p] * s + t;
            }
        }
    }

    private static void resampleRow(
            AxisResampler horizontal,
            float[] row,
            int span,
            int x0,
            float[] resampled,
            int dstW,
            int channels) {
        int stride = horizontal.stride;
        for (int c = 0; c < channels; c++) {
            int in = c * span - x0;
            int o = c * dstW;
            for (int x = 0; x < dstW; x++) {
                int first = in + horizontal.start[x];
                int taps = horizontal.count[x];
                int wBase = x * stride;
                float sum = 0;
                for (int k = 0; k < taps; k++) {
                    sum += horizontal.weights[wBase + k] * row[first + k];
                }
                resampled[o + x] = sum;
            }
        }
    }
}
