package io.inceptionstreams.model.preprocess;

import io.inceptionstreams.model.preprocess.ImageRejectedException.Reason;
import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes untrusted encoded images (JPEG, PNG, GIF first frame, BMP, and WebP when its ImageIO
 * plugin is on the classpath) into upright {@link BufferedImage}s, enforcing {@link ImageLimits}
 * and reporting every failure as an {@link ImageRejectedException}.
 *
 * <p>The order of checks keeps hostile input cheap: the byte limit before anything is parsed, the
 * format from the leading bytes, then the pixel limit from the header dimensions before the raster
 * is allocated, so a small file declaring a huge image is rejected without decoding it.
 *
 * <p>The format is taken from the bytes, not from the declared content type: clients and proxies
 * routinely mislabel images (image/jpg for a PNG, application/octet-stream for anything), while the
 * bytes are what the decoder will actually parse, so a label can neither block a valid image nor
 * route data to another decoder. A declared type is only used to refuse payloads that say they are
 * not images at all.
 *
 * <p>Immutable and thread-safe: each decode uses its own ImageIO reader.
 */
public final class ImageDecoder {

    private static final String SUPPORTED = "JPEG, PNG, GIF, BMP, WebP";

    private final ImageLimits limits;

    public ImageDecoder(ImageLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public ImageLimits limits() {
        return limits;
    }

    /** Decodes {@code encoded}, identified by its leading bytes. */
    public BufferedImage decode(byte[] encoded) throws ImageRejectedException {
        return decode(encoded, null);
    }

    /**
     * Decodes {@code encoded}; {@code contentType} is the declared type (a Content-Type header
     * value, may be null) and only rejects declared non-images such as text/plain.
     */
    public BufferedImage decode(byte[] encoded, String contentType) throws ImageRejectedException {
        if (encoded == null || encoded.length == 0) {
            throw new ImageRejectedException(Reason.CORRUPT, "empty image: 0 bytes");
        }
        if (encoded.length > limits.maxEncodedBytes()) {
            throw new ImageRejectedException(
                    Reason.TOO_LARGE,
                    "image is "
                            + encoded.length
                            + " bytes, over the limit of "
                            + limits.maxEncodedBytes()
                            + " bytes");
        }
        String declared = declaredMediaType(contentType);
        Optional<ImageFormat> sniffed = ImageFormat.sniff(encoded);
        if (sniffed.isEmpty()) {
            throw new ImageRejectedException(
                    Reason.UNSUPPORTED_TYPE,
                    "not a supported image ("
                            + SUPPORTED
                            + (declared == null ? "" : "; declared " + declared)
                            + "): content starts with "
                            + describeStart(encoded));
        }
        ImageFormat format = sniffed.get();
        if (format == ImageFormat.WEBP) {
            checkRiffLength(encoded);
        }
        BufferedImage image = read(encoded, format);
        return format == ImageFormat.JPEG
                ? ExifOrientation.apply(image, ExifOrientation.read(encoded))
                : image;
    }

    private static String declaredMediaType(String contentType) throws ImageRejectedException {
        if (contentType == null || contentType.isBlank()) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType =
                (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                        .trim()
                        .toLowerCase(Locale.ROOT);
        if (!mediaType.startsWith("image/") && !mediaType.equals("application/octet-stream")) {
            throw new ImageRejectedException(
                    Reason.UNSUPPORTED_TYPE,
                    "declared content type "
                            + mediaType
                            + " is not an image; supported: "
                            + SUPPORTED);
        }
        return mediaType;
    }

    private BufferedImage read(byte[] encoded, ImageFormat format) throws ImageRejectedException {
        ImageReader reader = readerFor(format);
        AtomicReference<String> truncation = new AtomicReference<>();
        // The JDK's JPEG reader reports a truncated file as a warning and fills the rest gray;
        // a half-gray image would be classified as something, so it is rejected instead.
        IIOReadWarningListener warnings =
                (source, warning) -> {
                    if (warning.toLowerCase(Locale.ROOT).contains("premature end")) {
                        truncation.compareAndSet(null, warning);
                    }
                };
        reader.addIIOReadWarningListener(warnings);
        try (ImageInputStream input = new EncodedImageInputStream(encoded)) {
            reader.setInput(input, true, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            if (width <= 0 || height <= 0) {
                throw corrupt(
                        format, encoded, "declares " + width + "x" + height + " pixels", null);
            }
            long pixels = (long) width * height;
            if (pixels > limits.maxPixels()) {
                throw new ImageRejectedException(
                        Reason.TOO_MANY_PIXELS,
                        format.displayName()
                                + " image is "
                                + width
                                + "x"
                                + height
                                + " = "
                                + pixels
                                + " pixels, over the limit of "
                                + limits.maxPixels()
                                + " pixels");
            }
            BufferedImage image = reader.read(0);
            if (truncation.get() != null) {
                throw corrupt(format, encoded, truncation.get(), null);
            }
            return image;
        } catch (IOException | RuntimeException e) {
            // ImageIO readers signal malformed data with all kinds of runtime exceptions
            // (IndexOutOfBounds, IllegalArgument, NegativeArraySize, ...), not only IIOException.
            throw corrupt(format, encoded, describe(e), e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * A truncated lossless WebP would otherwise decode with its missing tail as zeros (see {@link
     * EncodedImageInputStream}); the RIFF header states the length, so truncation is certain.
     */
    private static void checkRiffLength(byte[] encoded) throws ImageRejectedException {
        long declared =
                8
                        + ((encoded[4] & 0xFFL)
                                | (encoded[5] & 0xFFL) << 8
                                | (encoded[6] & 0xFFL) << 16
                                | (encoded[7] & 0xFFL) << 24);
        if (declared > encoded.length) {
            throw corrupt(
                    ImageFormat.WEBP,
                    encoded,
                    "the RIFF header declares " + declared + " bytes",
                    null);
        }
    }

    private static ImageReader readerFor(ImageFormat format) throws ImageRejectedException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
        if (!readers.hasNext()) {
            throw new ImageRejectedException(
                    Reason.UNSUPPORTED_TYPE,
                    format.displayName()
                            + " images cannot be decoded: no ImageIO reader installed");
        }
        return readers.next();
    }

    private static ImageRejectedException corrupt(
            ImageFormat format, byte[] encoded, String detail, Throwable cause) {
        return new ImageRejectedException(
                Reason.CORRUPT,
                "corrupt "
                        + format.displayName()
                        + " image ("
                        + encoded.length
                        + " bytes): "
                        + detail,
                cause);
    }

    private static String describe(Exception e) {
        Throwable cause = e;
        while (cause.getMessage() == null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null
                ? cause.getMessage()
                : cause instanceof EOFException
                        ? "unexpected end of data"
                        : cause.getClass().getSimpleName();
    }

    /** The first bytes in hex, with a printable rendering when they look like text. */
    private static String describeStart(byte[] encoded) {
        byte[] start = Arrays.copyOf(encoded, Math.min(8, encoded.length));
        String hex = HexFormat.ofDelimiter(" ").formatHex(start);
        StringBuilder text = new StringBuilder();
        for (byte b : start) {
            if (b < 0x20 || b > 0x7E) {
                return hex;
            }
            text.append((char) b);
        }
        return hex + " (\"" + text + "\")";
    }
}
