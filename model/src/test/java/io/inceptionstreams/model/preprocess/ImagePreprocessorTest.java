package io.inceptionstreams.model.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.time.Duration;
import java.util.Arrays;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {

    private static final Offset<Float> EXACT = within(1e-6f);

    private static ImagePreprocessor gray(int width, int height, float mean, float std) {
        return new ImagePreprocessor(
                new InputSpec(width, height, 1, new float[] {mean}, new float[] {std}),
                ImageLimits.defaults());
    }

    private static ImagePreprocessor rgbUnnormalized(int width, int height) {
        return new ImagePreprocessor(
                new InputSpec(width, height, 3, new float[] {0, 0, 0}, new float[] {1, 1, 1}),
                ImageLimits.defaults());
    }

    /** A TYPE_BYTE_GRAY image from row-major values. */
    private static BufferedImage grayImage(int width, int height, int... values) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSamples(0, 0, width, height, 0, values);
        return image;
    }

    private static float[] divide(float divisor, float... values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] / divisor;
        }
        return out;
    }

    @Test
    void shouldNormalizeEachPixelWithMeanAndStdWhenNoResizeIsNeeded() {
        BufferedImage image = grayImage(3, 2, 0, 51, 102, 153, 204, 255);

        float[] out = gray(3, 2, 0.5f, 0.25f).preprocess(image);

        // (v / 255 - 0.5) / 0.25 for v = 0, 51, ... 255, i.e. v/255 = 0, 0.2, ... 1.
        assertThat(out).containsExactly(new float[] {-2f, -1.2f, -0.4f, 0.4f, 1.2f, 2f}, EXACT);
    }

    @Test
    void shouldUpscaleBilinearlyWithPixelCentersAligned() {
        BufferedImage image = grayImage(2, 2, 0, 100, 200, 40);

        float[] out = gray(4, 4, 0, 1).preprocess(image);

        // Output sample i maps to source (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, with the
        // edges clamped: weights (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1) on both axes.
        float[] expected =
                divide(
                        255f, 0, 25, 75, 100, 50, 58.75f, 76.25f, 85, 150, 126.25f, 78.75f, 55, 200,
                        160, 80, 40);
        assertThat(out).containsExactly(expected, EXACT);
    }

    @Test
    void shouldAverageEachFootprintWhenDownscalingByMoreThanTwo() {
        int[] values = new int[64];
        for (int i = 0; i < 64; i++) {
            values[i] = i; // x + 8y
        }

        float[] out = gray(2, 2, 0, 1).preprocess(grayImage(8, 8, values));

        // Each output is the mean of a 4x4 block: mean(x) + 8 * mean(y).
        assertThat(out).containsExactly(divide(255f, 13.5f, 17.5f, 45.5f, 49.5f), EXACT);
    }

    @Test
    void shouldNotAliasFineStripesWhenDownscaling() {
        int[] stripes = new int[64 * 64];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = (i % 2) * 255;
        }

        float[] out = gray(8, 8, 0, 1).preprocess(grayImage(64, 64, stripes));

        // Plain bilinear at 8x would sample only even or only odd columns: all 0 or all 1.
        float[] expected = new float[64];
        Arrays.fill(expected, 0.5f);
        assertThat(out).containsExactly(expected, within(1e-5f));
    }

    @Test
    void shouldResizeTheShorterSideAndCropTheCenter() {
        // 6x2 to 2x2: the height already fits, so the resize is 1 and columns 2..3 are kept.
        BufferedImage image = grayImage(6, 2, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110);

        float[] out = gray(2, 2, 0, 1).preprocess(image);

        assertThat(out).containsExactly(divide(255f, 20, 30, 80, 90), EXACT);
    }

    @Test
    void shouldResizePortraitImagesByWidthAndCropVertically() {
        // 2x8 to 1x1 is a 2x reduction of the width; the resized 1x4 keeps row 1 of 0..3, which
        // averages source rows 2 and 3.
        int[] values = {0, 0, 10, 10, 20, 20, 30, 30, 40, 40, 50, 50, 60, 60, 70, 70};

        float[] out = gray(1, 1, 0, 1).preprocess(grayImage(2, 8, values));

        assertThat(out).containsExactly(new float[] {25f / 255f}, EXACT);
    }

    @Test
    void shouldLayOutRgbOutputAsChannelPlanes() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0x0A141E); // (10, 20, 30)
        image.setRGB(1, 0, 0x28323C); // (40, 50, 60)

        float[] out = rgbUnnormalized(2, 1).preprocess(image);

        assertThat(out).containsExactly(divide(255f, 10, 40, 20, 50, 30, 60), EXACT);
    }

    @Test
    void shouldNormalizeEachRgbChannelWithItsOwnMeanAndStd() {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_3BYTE_BGR);
        image.setRGB(0, 0, 0xFF0000);
        InputSpec spec =
                new InputSpec(1, 1, 3, new float[] {0.5f, 0.25f, 0}, new float[] {0.5f, 0.25f, 2});

        float[] out = new ImagePreprocessor(spec, ImageLimits.defaults()).preprocess(image);

        assertThat(out).containsExactly(new float[] {1f, -1f, 0f}, EXACT);
    }

    @Test
    void shouldConvertRgbToGrayWithBt601Luma() {
        BufferedImage image = new BufferedImage(4, 1, BufferedImage.TYPE_3BYTE_BGR);
        image.setRGB(0, 0, 0xFF0000);
        image.setRGB(1, 0, 0x00FF00);
        image.setRGB(2, 0, 0x0000FF);
        image.setRGB(3, 0, 0xFFFFFF);

        float[] out = gray(4, 1, 0, 1).preprocess(image);

        assertThat(out).containsExactly(new float[] {0.299f, 0.587f, 0.114f, 1f}, EXACT);
    }

    @Test
    void shouldReplicateGrayIntoAllThreeChannels() {
        float[] out = rgbUnnormalized(2, 1).preprocess(grayImage(2, 1, 51, 204));

        assertThat(out).containsExactly(new float[] {0.2f, 0.8f, 0.2f, 0.8f, 0.2f, 0.8f}, EXACT);
    }

    @Test
    void shouldReadGrayValuesAsStoredWithoutAGammaCurve() {
        // getRGB on TYPE_BYTE_GRAY would turn 128 into 186 (linear to sRGB).
        float[] out = gray(1, 1, 0, 1).preprocess(grayImage(1, 1, 128));

        assertThat(out).containsExactly(new float[] {128f / 255f}, EXACT);
    }

    @Test
    void shouldCompositeTransparentPixelsOnWhite() {
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x00000000); // fully transparent black
        image.setRGB(1, 0, 0x80000000); // half transparent black
        image.setRGB(2, 0, 0xFF336699); // opaque

        float[] out = rgbUnnormalized(3, 1).preprocess(image);

        float half = (255 - 0x80) / 255f;
        assertThat(out)
                .containsExactly(
                        new float[] {
                            1f, half, 0x33 / 255f, 1f, half, 0x66 / 255f, 1f, half, 0x99 / 255f
                        },
                        within(1e-5f));
    }

    @Test
    void shouldCompositePremultipliedAndByteAlphaLayoutsTheSameWay() {
        BufferedImage straight = new BufferedImage(2, 1, BufferedImage.TYPE_4BYTE_ABGR);
        BufferedImage premultiplied = new BufferedImage(2, 1, BufferedImage.TYPE_4BYTE_ABGR_PRE);
        for (BufferedImage image : new BufferedImage[] {straight, premultiplied}) {
            image.setRGB(0, 0, 0x40FF0000);
            image.setRGB(1, 0, 0xC00000FF);
        }

        float[] expected = rgbUnnormalized(2, 1).preprocess(straight);
        float[] actual = rgbUnnormalized(2, 1).preprocess(premultiplied);

        assertThat(actual).containsExactly(expected, within(2f / 255f));
        assertThat(expected[2]).isCloseTo((255 - 0x40) / 255f, within(1e-5f)); // green of red
    }

    @Test
    void shouldGiveTheSameResultForEveryRasterLayoutOfTheSameColours() {
        int width = 7;
        int height = 5;
        BufferedImage reference = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                reference.setRGB(x, y, (x * 36) << 16 | (y * 60) << 8 | ((x + y) * 20));
            }
        }
        float[] expected = rgbUnnormalized(4, 4).preprocess(reference);

        int[] types = {
            BufferedImage.TYPE_3BYTE_BGR,
            BufferedImage.TYPE_4BYTE_ABGR,
            BufferedImage.TYPE_INT_ARGB,
            BufferedImage.TYPE_INT_BGR
        };
        for (int type : types) {
            BufferedImage copy = new BufferedImage(width, height, type);
            copy.getGraphics().drawImage(reference, 0, 0, null);
            assertThat(rgbUnnormalized(4, 4).preprocess(copy))
                    .as("type %d", type)
                    .containsExactly(expected, EXACT);
        }
    }

    @Test
    void shouldReadSixteenBitGrayScaledTo8BitRange() {
        BufferedImage wide = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        wide.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {51 * 257, 65535});

        float[] out = gray(2, 1, 0, 1).preprocess(wide);

        assertThat(out).containsExactly(new float[] {0.2f, 1f}, EXACT);
    }

    @Test
    void shouldReadPaletteImagesThroughTheirColourTable() {
        byte[] r = {0, (byte) 255};
        byte[] g = {0, (byte) 128};
        byte[] b = {0, 0};
        BufferedImage indexed =
                new BufferedImage(
                        2, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(1, 2, r, g, b));
        indexed.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {1, 0});

        float[] out = rgbUnnormalized(2, 1).preprocess(indexed);

        assertThat(out).containsExactly(divide(255f, 255, 0, 128, 0, 0, 0), EXACT);
    }

    @Test
    void shouldReadOnlyTheSubimageRegion() {
        int[] values = new int[36];
        for (int i = 0; i < 36; i++) {
            values[i] = i * 7;
        }
        BufferedImage sub = grayImage(6, 6, values).getSubimage(2, 3, 2, 2);

        float[] out = gray(2, 2, 0, 1).preprocess(sub);

        // Rows 3..4, columns 2..3 of the 6x6 image: indices 20, 21, 26, 27.
        assertThat(out).containsExactly(divide(255f, 140, 147, 182, 189), EXACT);
    }

    @Test
    void shouldWriteIntoABatchBufferAtTheOffsetOnly() {
        ImagePreprocessor preprocessor = gray(4, 4, 0.5f, 0.5f);
        BufferedImage image = grayImage(2, 2, 0, 100, 200, 40);
        float[] batch = new float[3 * 16];
        Arrays.fill(batch, 42f);

        preprocessor.preprocess(image, batch, 16);

        float[] alone = preprocessor.preprocess(image);
        for (int i = 0; i < 16; i++) {
            assertThat(batch[i]).isEqualTo(42f);
            assertThat(batch[16 + i]).isEqualTo(alone[i]);
            assertThat(batch[32 + i]).isEqualTo(42f);
        }
    }

    @Test
    void shouldRejectABatchBufferTooSmallForTheOffset() {
        ImagePreprocessor preprocessor = gray(4, 4, 0, 1);

        assertThatThrownBy(() -> preprocessor.preprocess(grayImage(1, 1, 0), new float[20], 5))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void shouldGiveTheDecodeBudgetBackAfterEachImage() {
        // Given a preprocessor whose decode budget holds one 64x64 RGB raster at a time
        byte[] png = TestImages.encode(TestImages.quadrants(64, 64), "png");
        ImagePreprocessor preprocessor =
                new ImagePreprocessor(
                        new InputSpec(8, 8, 3, new float[] {0, 0, 0}, new float[] {1, 1, 1}),
                        new ImageLimits(
                                ImageLimits.defaults().maxEncodedBytes(),
                                ImageLimits.defaults().maxPixels(),
                                20_000));

        // When it preprocesses the image several times in a row, then it never waits for itself
        Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> {
                    for (int i = 0; i < 5; i++) {
                        assertThat(preprocessor.preprocess(png, "image/png")).hasSize(3 * 8 * 8);
                    }
                });
    }
}
