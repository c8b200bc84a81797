package io.inceptionstreams.model.preprocess;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;

/**
 * Reads a span of one image row as planar floats in 0..255 with the model's channel count: {@code
 * row[c * span + x]}.
 *
 * <p>Colour conversions:
 *
 * <ul>
 *   <li>RGB to gray uses the ITU-R BT.601 luma weights (0.299, 0.587, 0.114) on the encoded values,
 *       the same convention as JPEG's Y channel and most image libraries.
 *   <li>Gray to RGB replicates the value.
 *   <li>Alpha is composited onto white. Colour under transparent pixels is arbitrary (often black),
 *       so it must not reach the model; white is what browsers and viewers show behind a
 *       transparent image, so the model sees what the user saw.
 *   <li>Gray rasters are read as stored. Java labels them linear gray and {@link
 *       BufferedImage#getRGB} would apply a gamma curve, but PNG and JPEG gray values are encoded
 *       like sRGB ones, and the Fashion-MNIST bytes are used as stored too.
 * </ul>
 *
 * <p>8-bit interleaved rasters (what ImageIO returns for JPEG, most PNGs and Fashion-MNIST) are
 * read straight from the backing array; other component rasters (16-bit PNG) sample by sample
 * through the raster; everything else (palettes, packed ints, non-sRGB colour spaces) through
 * {@link BufferedImage#getRGB(int, int, int, int, int[], int, int)}, which does the colour
 * conversion.
 */
abstract class PixelRowReader {

    private static final float LUMA_R = 0.299f;
    private static final float LUMA_G = 0.587f;
    private static final float LUMA_B = 0.114f;

    final int channels;
    final int span;

    private PixelRowReader(int channels, int span) {
        this.channels = channels;
        this.span = span;
    }

    /** Fills {@code row} (length {@code channels * span}) from image row {@code y}. */
    abstract void read(int y, float[] row);

    static PixelRowReader of(BufferedImage image, int channels, int x0, int span) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof ComponentColorModel && hasPlainColorSpace(cm)) {
            boolean eightBit = true;
            for (int size : cm.getComponentSize()) {
                eightBit &= size == 8;
            }
            if (eightBit
                    && raster.getDataBuffer() instanceof DataBufferByte buffer
                    && buffer.getNumBanks() == 1
                    && raster.getSampleModel() instanceof PixelInterleavedSampleModel) {
                return new InterleavedBytes(image, channels, x0, span);
            }
            if (raster.getTransferType() == DataBuffer.TYPE_BYTE
                    || raster.getTransferType() == DataBuffer.TYPE_USHORT) {
                return new ComponentSamples(image, channels, x0, span);
            }
        }
        return new ConvertedRgb(image, channels, x0, span);
    }

    private static boolean hasPlainColorSpace(ColorModel cm) {
        ColorSpace cs = cm.getColorSpace();
        return cs.isCS_sRGB()
                || (cs.getType() == ColorSpace.TYPE_GRAY && cs.getNumComponents() == 1);
    }

    /**
     * Writes one pixel given as gray or RGB in 0..255 with alpha in 0..1; {@code premultiplied}
     * says whether the colour values were already multiplied by alpha.
     */
    final void put(
            float[] row, int x, float r, float g, float b, float alpha, boolean premultiplied) {
        if (alpha < 1) {
            float white = 255 * (1 - alpha);
            if (premultiplied) {
                r += white;
                g += white;
                b += white;
            } else {
                r = r * alpha + white;
                g = g * alpha + white;
                b = b * alpha + white;
            }
        }
        if (channels == 1) {
            row[x] = LUMA_R * r + LUMA_G * g + LUMA_B * b;
        } else {
            row[x] = r;
            row[span + x] = g;
            row[2 * span + x] = b;
        }
    }

    final void putGray(float[] row, int x, float v, float alpha, boolean premultiplied) {
        if (alpha < 1) {
            v = (premultiplied ? v : v * alpha) + 255 * (1 - alpha);
        }
        row[x] = v;
        if (channels == 3) {
            row[span + x] = v;
            row[2 * span + x] = v;
        }
    }

    /** 8-bit gray or sRGB, optionally with alpha, pixel-interleaved in one byte array. */
    private static final class InterleavedBytes extends PixelRowReader {
        private final byte[] data;
        private final int[] offsets;
        private final int pixelStride;
        private final int scanlineStride;
        private final int origin;
        private final boolean gray;
        private final boolean alpha;
        private final boolean premultiplied;

        InterleavedBytes(BufferedImage image, int channels, int x0, int span) {
            super(channels, span);
            Raster raster = image.getRaster();
            PixelInterleavedSampleModel sm = (PixelInterleavedSampleModel) raster.getSampleModel();
            DataBufferByte buffer = (DataBufferByte) raster.getDataBuffer();
            ColorModel cm = image.getColorModel();
            data = buffer.getData();
            offsets = sm.getBandOffsets();
            pixelStride = sm.getPixelStride();
            scanlineStride = sm.getScanlineStride();
            origin =
                    buffer.getOffset()
                            + (x0 - raster.getSampleModelTranslateX()) * pixelStride
                            - raster.getSampleModelTranslateY() * scanlineStride;
            gray = cm.getNumColorComponents() == 1;
            alpha = cm.hasAlpha();
            premultiplied = cm.isAlphaPremultiplied();
        }

        @Override
        void read(int y, float[] row) {
            int p = origin + y * scanlineStride;
            if (gray && !alpha) {
                int o = offsets[0];
                for (int x = 0; x < span; x++, p += pixelStride) {
                    putGray(row, x, data[p + o] & 0xFF, 1, false);
                }
            } else if (gray) {
                int o = offsets[0];
                int oa = offsets[1];
                for (int x = 0; x < span; x++, p += pixelStride) {
                    float a = (data[p + oa] & 0xFF) / 255f;
                    putGray(row, x, data[p + o] & 0xFF, a, premultiplied);
                }
            } else {
                int or = offsets[0];
                int og = offsets[1];
                int ob = offsets[2];
                int oa = alpha ? offsets[3] : -1;
                for (int x = 0; x < span; x++, p += pixelStride) {
                    float a = alpha ? (data[p + oa] & 0xFF) / 255f : 1;
                    put(
                            row,
                            x,
                            data[p + or] & 0xFF,
                            data[p + og] & 0xFF,
                            data[p + ob] & 0xFF,
                            a,
                            premultiplied);
                }
            }
        }
    }

    /** Any-depth (8 or 16 bit) gray or sRGB component raster, read band by band. */
    private static final class ComponentSamples extends PixelRowReader {
        private final Raster raster;
        private final int x0;
        private final int bands;
        private final boolean gray;
        private final boolean alpha;
        private final boolean premultiplied;
        private final float[] scale;
        private final int[][] samples;

        ComponentSamples(BufferedImage image, int channels, int x0, int span) {
            super(channels, span);
            ColorModel cm = image.getColorModel();
            this.raster = image.getRaster();
            this.x0 = x0;
            bands = cm.getNumComponents();
            gray = cm.getNumColorComponents() == 1;
            alpha = cm.hasAlpha();
            premultiplied = cm.isAlphaPremultiplied();
            scale = new float[bands];
            for (int b = 0; b < bands; b++) {
                scale[b] = 255f / ((1 << cm.getComponentSize(b)) - 1);
            }
            samples = new int[bands][span];
        }

        @Override
        void read(int y, float[] row) {
            for (int b = 0; b < bands; b++) {
                raster.getSamples(x0, y, span, 1, b, samples[b]);
            }
            int alphaBand = bands - 1;
            for (int x = 0; x < span; x++) {
                float a = alpha ? samples[alphaBand][x] * scale[alphaBand] / 255f : 1;
                if (gray) {
                    putGray(row, x, samples[0][x] * scale[0], a, premultiplied);
                } else {
                    put(
                            row,
                            x,
                            samples[0][x] * scale[0],
                            samples[1][x] * scale[1],
                            samples[2][x] * scale[2],
                            a,
                            premultiplied);
                }
            }
        }
    }

    /** Anything else, converted by Java2D to non-premultiplied sRGB ARGB. */
    private static final class ConvertedRgb extends PixelRowReader {
        private final BufferedImage image;
        private final int x0;
        private final int[] argb;

        ConvertedRgb(BufferedImage image, int channels, int x0, int span) {
            super(channels, span);
            this.image = image;
            this.x0 = x0;
            this.argb = new int[span];
        }

        @Override
        void read(int y, float[] row) {
            image.getRGB(x0, y, span, 1, argb, 0, span);
            for (int x = 0; x < span; x++) {
                int p = argb[x];
                put(
                        row,
                        x,
                        (p >>> 16) & 0xFF,
                        (p >>> 8) & 0xFF,
                        p & 0xFF,
                        (p >>> 24) / 255f,
                        false);
            }
        }
    }
}
