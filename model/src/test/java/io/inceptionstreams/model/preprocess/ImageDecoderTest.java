package io.inceptionstreams.model.preprocess;

import static io.inceptionstreams.model.preprocess.TestImages.BLUE;
import static io.inceptionstreams.model.preprocess.TestImages.GREEN;
import static io.inceptionstreams.model.preprocess.TestImages.RED;
import static io.inceptionstreams.model.preprocess.TestImages.WHITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.inceptionstreams.model.preprocess.ImageRejectedException.Reason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());

    private static void assertQuadrants(BufferedImage image, int tolerance) {
        assertQuadrants(image, 8, 6, tolerance);
    }

    private static void assertQuadrants(BufferedImage image, int width, int height, int tolerance) {
        assertThat(image.getWidth()).isEqualTo(width);
        assertThat(image.getHeight()).isEqualTo(height);
        // Sample the middle of each quadrant, away from lossy codecs' block edges.
        int left = width / 4;
        int right = width - 1 - width / 4;
        int top = height / 4;
        int bottom = height - 1 - height / 4;
        assertColour(image.getRGB(left, top), RED, tolerance);
        assertColour(image.getRGB(right, top), GREEN, tolerance);
        assertColour(image.getRGB(left, bottom), BLUE, tolerance);
        assertColour(image.getRGB(right, bottom), WHITE, tolerance);
    }

    private static void assertColour(int argb, int rgb, int tolerance) {
        for (int shift = 0; shift <= 16; shift += 8) {
            assertThat((argb >> shift) & 0xFF)
                    .as("channel at bit %d of %06X", shift, argb & 0xFFFFFF)
                    .isCloseTo((rgb >> shift) & 0xFF, within(tolerance));
        }
    }

    private static ImageRejectedException rejection(ThrowingCallable call) {
        try {
            call.call();
        } catch (ImageRejectedException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected ImageRejectedException, got " + t, t);
        }
        throw new AssertionError("expected ImageRejectedException, but the image decoded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "bmp", "gif"})
    void shouldDecodeLosslessFormatsExactly(String format) throws Exception {
        BufferedImage decoded = decoder.decode(TestImages.encode(TestImages.quadrants(), format));

        assertQuadrants(decoded, 0);
    }

    @Test
    void shouldDecodeJpeg() throws Exception {
        BufferedImage decoded =
                decoder.decode(TestImages.encode(TestImages.quadrants(64, 48), "jpeg"));

        assertQuadrants(decoded, 64, 48, 8);
    }

    @Test
    void shouldDecodeLosslessWebpExactly() throws Exception {
        byte[] webp = TestImages.resource("quadrants-8x6-lossless.webp");

        assertQuadrants(decoder.decode(webp, "image/webp"), 0);
    }

    @Test
    void shouldDecodeLossyWebp() throws Exception {
        byte[] webp = TestImages.resource("quadrants-8x6-lossy.webp");

        assertQuadrants(decoder.decode(webp), 60);
    }

    @Test
    void shouldDecodeOnlyTheFirstGifFrame() throws Exception {
        BufferedImage black = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED);
        BufferedImage white = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED);
        white.createGraphics().fillRect(0, 0, 4, 4);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new IIOImage(black, null, null), null);
            writer.writeToSequence(new IIOImage(white, null, null), null);
            writer.endWriteSequence();
        }
        writer.dispose();
        ImageReader frames = ImageIO.getImageReadersByFormatName("gif").next();
        frames.setInput(new EncodedImageInputStream(bytes.toByteArray()));
        assertThat(frames.getNumImages(true)).isEqualTo(2);

        BufferedImage decoded = decoder.decode(bytes.toByteArray());

        assertThat(decoded.getRGB(2, 2) & 0xFFFFFF).isZero();
    }

    @Test
    void shouldDecodeSixteenBitGrayPngToItsEightBitValue() throws Exception {
        BufferedImage wide = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        wide.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {0, 51 * 257});
        ImagePreprocessor preprocessor =
                new ImagePreprocessor(
                        new InputSpec(2, 1, 1, new float[] {0}, new float[] {1}),
                        ImageLimits.defaults());

        float[] out = preprocessor.preprocess(TestImages.encode(wide, "png"));

        assertThat(out).containsExactly(new float[] {0f, 0.2f}, within(1e-6f));
    }

    @Test
    void shouldCompositeTransparentPngPixelsOnWhite() throws Exception {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x00000000);
        image.setRGB(1, 0, 0xFF000000);
        ImagePreprocessor preprocessor =
                new ImagePreprocessor(
                        new InputSpec(2, 1, 1, new float[] {0}, new float[] {1}),
                        ImageLimits.defaults());

        float[] out = preprocessor.preprocess(TestImages.encode(image, "png"), "image/png");

        assertThat(out).containsExactly(new float[] {1f, 0f}, within(1e-6f));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldRotateAJpegWithExifOrientation6Clockwise(boolean littleEndian) throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.leftBlackRightWhite(32, 16), "jpeg");

        BufferedImage decoded =
                decoder.decode(TestImages.withExifOrientation(jpeg, 6, littleEndian));

        // Rotated clockwise, the left (black) half becomes the top half.
        assertThat(decoded.getWidth()).isEqualTo(16);
        assertThat(decoded.getHeight()).isEqualTo(32);
        assertThat(decoded.getRaster().getSample(8, 4, 0)).isLessThan(30);
        assertThat(decoded.getRaster().getSample(8, 27, 0)).isGreaterThan(225);
    }

    @Test
    void shouldRotateAJpegWithExifOrientation8CounterClockwise() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.leftBlackRightWhite(32, 16), "jpeg");

        BufferedImage decoded = decoder.decode(TestImages.withExifOrientation(jpeg, 8, false));

        assertThat(decoded.getWidth()).isEqualTo(16);
        assertThat(decoded.getRaster().getSample(8, 4, 0)).isGreaterThan(225);
        assertThat(decoded.getRaster().getSample(8, 27, 0)).isLessThan(30);
    }

    @Test
    void shouldLeaveAJpegWithoutExifAsStored() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.leftBlackRightWhite(32, 16), "jpeg");

        BufferedImage decoded = decoder.decode(jpeg);

        assertThat(decoded.getWidth()).isEqualTo(32);
        assertThat(decoded.getRaster().getSample(4, 8, 0)).isLessThan(30);
    }

    @Test
    void shouldRejectTooManyBytesBeforeLookingAtThem() {
        ImageDecoder small = new ImageDecoder(new ImageLimits(100, 1_000_000));
        byte[] garbage = new byte[101];

        ImageRejectedException e = rejection(() -> small.decode(garbage));

        assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(e).hasMessageContaining("101 bytes").hasMessageContaining("limit of 100 bytes");
    }

    @Test
    void shouldAcceptAnImageExactlyAtBothLimits() throws Exception {
        byte[] png = TestImages.encode(TestImages.quadrants(), "png");
        ImageDecoder exact = new ImageDecoder(new ImageLimits(png.length, 48));

        assertThat(exact.decode(png).getWidth()).isEqualTo(8);
        assertThat(rejection(() -> new ImageDecoder(new ImageLimits(png.length, 47)).decode(png)))
                .hasMessageContaining("8x6 = 48 pixels, over the limit of 47 pixels");
    }

    @Test
    void shouldRejectDecompressionBombBeforeDecoding() {
        byte[] bomb = TestImages.pngDeclaring(50_000, 50_000);
        assertThat(bomb.length).isLessThan(100);

        ImageRejectedException e =
                Assertions.assertTimeoutPreemptively(
                        Duration.ofSeconds(5), () -> rejection(() -> decoder.decode(bomb)));

        assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
        assertThat(e)
                .hasMessageContaining("PNG")
                .hasMessageContaining("50000x50000 = 2500000000 pixels")
                .hasMessageContaining("limit of 40000000 pixels");
    }

    @Test
    void shouldRejectARasterOverTheDecodedByteLimitFromTheHeaderBeforeReadingIt() {
        // Given a 1000x1000 RGB PNG (3,000,000 bytes of raster) whose data is 9 bytes
        byte[] hollow = TestImages.pngDeclaring(1000, 1000);
        long pixels = ImageLimits.defaults().maxPixels();
        long bytes = ImageLimits.defaults().maxEncodedBytes();

        // When the raster limit is one byte under it, and when it is exactly it
        ImageRejectedException under =
                rejection(
                        () ->
                                new ImageDecoder(new ImageLimits(bytes, pixels, 2_999_999))
                                        .decode(hollow));
        ImageRejectedException at =
                rejection(
                        () ->
                                new ImageDecoder(new ImageLimits(bytes, pixels, 3_000_000))
                                        .decode(hollow));

        // Then the first is refused from its header alone; the second is read, and only then
        // found to hold no pixels
        assertThat(under.reason()).isEqualTo(Reason.TOO_MANY_DECODED_BYTES);
        assertThat(under)
                .hasMessageContaining(
                        "PNG image is 1000x1000 pixels x 3 bands x 1 bytes = 3000000 decoded"
                                + " bytes, over the limit of 2999999 bytes"
                                + " (image.max.decoded.bytes)");
        assertThat(at.reason()).isEqualTo(Reason.CORRUPT);
    }

    @Test
    void shouldCountEveryBandAndByteOfSixteenBitSamplesInTheDecodedSize() {
        // 1000x1000 RGBA at 16 bits: 8 bytes a pixel, under the pixel limit by far
        byte[] hollow = TestImages.pngDeclaring(1000, 1000, 16, 6);
        ImageDecoder decoder =
                new ImageDecoder(
                        new ImageLimits(
                                ImageLimits.defaults().maxEncodedBytes(),
                                ImageLimits.defaults().maxPixels(),
                                7_999_999));

        ImageRejectedException e =
                Assertions.assertTimeoutPreemptively(
                        Duration.ofSeconds(5), () -> rejection(() -> decoder.decode(hollow)));

        assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_DECODED_BYTES);
        assertThat(e).hasMessageContaining("1000x1000 pixels x 4 bands x 2 bytes = 8000000");
    }

    @Test
    void shouldDecodeAnImageExactlyAtTheDecodedByteLimit() throws Exception {
        // An 8x6 RGB PNG decodes to 8 x 6 x 3 bands x 1 byte = 144 bytes
        byte[] png = TestImages.encode(TestImages.quadrants(), "png");
        long bytes = ImageLimits.defaults().maxEncodedBytes();

        BufferedImage image = new ImageDecoder(new ImageLimits(bytes, 48, 144)).decode(png);

        assertQuadrants(image, 0);
        assertThat(rejection(() -> new ImageDecoder(new ImageLimits(bytes, 48, 143)).decode(png)))
                .hasMessageContaining("= 144 decoded bytes, over the limit of 143 bytes");
    }

    @Test
    void shouldHoldAtMostTheDecodeBudgetInFlightAcrossThreads() throws Exception {
        // Given a decoder whose budget (20,000 bytes) holds one 64x64 RGB raster (12,288) not two
        byte[] png = TestImages.encode(TestImages.quadrants(64, 64), "png");
        ImageDecoder shared =
                new ImageDecoder(
                        new ImageLimits(
                                ImageLimits.defaults().maxEncodedBytes(),
                                ImageLimits.defaults().maxPixels(),
                                20_000));
        CountDownLatch firstHolds = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // When one thread keeps its decoded image while another decodes
            Future<Integer> first =
                    pool.submit(
                            () ->
                                    shared.decode(
                                            png,
                                            null,
                                            image -> {
                                                firstHolds.countDown();
                                                await(releaseFirst);
                                                return image.getWidth();
                                            }));
            assertThat(firstHolds.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Integer> second = pool.submit(() -> shared.decode(png).getWidth());

            // Then the second waits for the budget until the first lets its image go
            Thread.sleep(300);
            assertThat(second).isNotDone();
            releaseFirst.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(64);
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(64);
        } finally {
            releaseFirst.countDown();
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldRejectJpegAndWebpDeclaringTooManyPixelsFromTheirHeaders() {
        byte[] jpeg = TestImages.encode(TestImages.quadrants(), "jpeg");
        byte[] webp = TestImages.resource("quadrants-8x6-lossless.webp");

        assertThat(rejection(() -> decoder.decode(TestImages.jpegDeclaring(jpeg, 65_000, 65_000))))
                .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS))
                .hasMessageContaining("JPEG image is 65000x65000");
        assertThat(
                        rejection(
                                () ->
                                        decoder.decode(
                                                TestImages.webpLosslessDeclaring(
                                                        webp, 16_000, 16_000))))
                .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS))
                .hasMessageContaining("WebP image is 16000x16000");
    }

    @Test
    void shouldRejectABmpDeclaringMorePixelsThanItHoldsAsCorrupt() {
        byte[] bmp = TestImages.encode(TestImages.quadrants(), "bmp");

        ImageRejectedException e =
                rejection(() -> decoder.decode(TestImages.bmpDeclaring(bmp, 100_000, 100_000)));

        // BMP is uncompressed: the JDK reader checks the dimensions against the data size.
        assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
    }

    @Test
    void shouldRejectPromptlyAWebpWhoseDataEndsLongBeforeItsDeclaredPixels() {
        // 2056x13317 is under the pixel limit, but the 58-byte file holds almost none of it.
        byte[] webp =
                TestImages.webpLosslessDeclaring(
                        TestImages.resource("quadrants-8x6-lossless.webp"), 2056, 13317);

        ImageRejectedException e =
                Assertions.assertTimeoutPreemptively(
                        Duration.ofSeconds(5), () -> rejection(() -> decoder.decode(webp)));

        assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
        assertThat(e).hasMessageContaining("the data ends before the image does");
    }

    @Test
    void shouldRejectAWebpShorterThanItsRiffHeaderDeclares() {
        byte[] webp = TestImages.resource("quadrants-8x6-lossless.webp");
        byte[] truncated = Arrays.copyOf(webp, webp.length - 1);

        ImageRejectedException e = rejection(() -> decoder.decode(truncated));

        assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
        assertThat(e).hasMessageContaining("RIFF header declares 58 bytes");
    }

    @Test
    void shouldRejectTextAsUnsupportedShowingItsFirstBytes() {
        byte[] text = "hello, world".getBytes(StandardCharsets.US_ASCII);

        ImageRejectedException e = rejection(() -> decoder.decode(text));

        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_TYPE);
        assertThat(e).hasMessageContaining("\"hello, w\"").hasMessageContaining("JPEG, PNG");
    }

    @Test
    void shouldRejectPdfAsUnsupportedEvenWhenDeclaredAsAnImage() {
        byte[] pdf = "%PDF-1.7\n%\u00e2\u00e3".getBytes(StandardCharsets.ISO_8859_1);

        ImageRejectedException e = rejection(() -> decoder.decode(pdf, "image/png"));

        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_TYPE);
        assertThat(e).hasMessageContaining("%PDF-1.7").hasMessageContaining("declared image/png");
    }

    @Test
    void shouldRejectTiffAsUnsupported() {
        byte[] tiff = TestImages.encode(TestImages.quadrants(), "tiff");

        assertThat(rejection(() -> decoder.decode(tiff)).reason())
                .isEqualTo(Reason.UNSUPPORTED_TYPE);
    }

    @Test
    void shouldRejectAnImageDeclaredAsANonImageContentType() {
        byte[] png = TestImages.encode(TestImages.quadrants(), "png");

        ImageRejectedException e =
                rejection(() -> decoder.decode(png, "Text/Plain; charset=utf-8"));

        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_TYPE);
        assertThat(e).hasMessageContaining("declared content type text/plain is not an image");
    }

    @ParameterizedTest
    @ValueSource(strings = {"image/jpeg", "application/octet-stream", "image/png; q=1", " "})
    void shouldTrustTheSniffedBytesOverAnImageContentType(String contentType) throws Exception {
        byte[] png = TestImages.encode(TestImages.quadrants(), "png");

        assertQuadrants(decoder.decode(png, contentType), 0);
    }

    @Test
    void shouldRejectEmptyInputAsCorrupt() {
        assertThat(rejection(() -> decoder.decode(new byte[0])).reason()).isEqualTo(Reason.CORRUPT);
        assertThat(rejection(() -> decoder.decode(null)).reason()).isEqualTo(Reason.CORRUPT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "gif", "bmp", "lossy.webp", "lossless.webp"})
    void shouldRejectTruncatedFilesAsCorrupt(String format) {
        byte[] full =
                format.endsWith("webp")
                        ? TestImages.resource("quadrants-8x6-" + format)
                        : TestImages.encode(TestImages.busy(), format);

        for (double kept : new double[] {0.1, 0.5, 0.9, 0.98}) {
            byte[] truncated = Arrays.copyOf(full, Math.max(12, (int) (full.length * kept)));
            ImageRejectedException e = rejection(() -> decoder.decode(truncated));
            assertThat(e.reason())
                    .as("%s cut to %d bytes", format, truncated.length)
                    .isEqualTo(Reason.CORRUPT);
            assertThat(e)
                    .hasMessageContaining("corrupt")
                    .hasMessageContaining(truncated.length + " bytes");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "gif", "bmp", "webp"})
    void shouldRejectGarbageAfterAValidSignatureAsCorrupt(String format) {
        byte[] signature =
                switch (format) {
                    case "jpeg" -> new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
                    case "png" -> new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};
                    case "gif" -> "GIF89a".getBytes(StandardCharsets.US_ASCII);
                    case "bmp" -> "BM".getBytes(StandardCharsets.US_ASCII);
                    default -> "RIFF\0\0\0\0WEBP".getBytes(StandardCharsets.US_ASCII);
                };
        byte[] garbage = Arrays.copyOf(signature, 200);
        byte[] noise = new byte[200 - signature.length];
        new Random(7).nextBytes(noise);
        System.arraycopy(noise, 0, garbage, signature.length, noise.length);

        ImageRejectedException e = rejection(() -> decoder.decode(garbage));

        assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
        assertThat(e).hasMessageContaining(ImageFormat.sniff(garbage).orElseThrow().displayName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "gif", "bmp", "lossy.webp", "lossless.webp"})
    void shouldOnlyEverDecodeOrRejectMutatedFiles(String format) {
        byte[] original =
                format.endsWith("webp")
                        ? TestImages.resource("quadrants-8x6-" + format)
                        : TestImages.encode(TestImages.quadrants(), format);
        Random random = new Random(format.hashCode());

        Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> {
                    for (int round = 0; round < 300; round++) {
                        byte[] mutated = original.clone();
                        for (int k = 0; k < 1 + random.nextInt(4); k++) {
                            int at = 2 + random.nextInt(mutated.length - 2);
                            mutated[at] = (byte) random.nextInt(256);
                        }
                        try {
                            decoder.decode(mutated);
                        } catch (ImageRejectedException expected) {
                            assertThat(expected.reason()).isNotNull();
                        }
                    }
                });
    }
}
