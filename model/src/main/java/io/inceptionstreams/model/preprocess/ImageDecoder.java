package io.inceptionstreams.model.preprocess;

import io.inceptionstreams.model.preprocess.ImageRejectedException.Reason;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.MultiPixelPackedSampleModel;
import java.awt.image.SampleModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes untrusted encoded images (JPEG, PNG, GIF first frame, BMP, and WebP when its ImageIO
 * plugin is on the classpath) into upright {@link BufferedImage}s, enforcing {@link ImageLimits}
 * and reporting every failure as an {@link ImageRejectedException}.
 *
 * <p>The order of checks keeps hostile input cheap: the byte limit before anything is parsed, the
 * format from the leading bytes, then the pixel limit from the header dimensions and the raster
 * limit from the dimensions and the reader's image type (bands x bytes per sample) before the
 * raster is allocated, so a small file declaring a huge image is rejected without decoding it.
 *
 * <p>Memory in flight is bounded too: every decode reserves its raster's size from a budget of
 * {@link ImageLimits#maxDecodedBytes()} shared by all threads using this decoder before it reads
 * the raster, and waits while the budget is taken, so a pool of decoding threads holds at most that
 * much decoded raster at once however many large, valid images arrive together.
 *
 * <p>The format is taken from the bytes, not from the declared content type: clients and proxies
 * routinely mislabel images (image/jpg for a PNG, application/octet-stream for anything), while the
 * bytes are what the decoder will actually parse, so a label can neither block a valid image nor
 * route data to another decoder. A declared type is only used to refuse payloads that say they are
 * not images at all.
 *
 * <p>Thread-safe: each decode uses its own ImageIO reader; the budget is the only shared state.
 */
public final class ImageDecoder {

    private static final String SUPPORTED = "JPEG, PNG, GIF, BMP, WebP";

    private final ImageLimits limits;
    private final DecodeBudget budget;

    /**
     * A decoder with its own decode budget of {@link ImageLimits#maxDecodedBytes()}: share one
     * decoder between threads to share the budget.
     */
    public ImageDecoder(ImageLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.budget = new DecodeBudget(limits.maxDecodedBytes());
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
     *
     * <p>The decode budget is held only while decoding: a caller that keeps the image holds its
     * memory outside the budget. Use {@link #decode(byte[], String, Function)} to keep it counted.
     */
    public BufferedImage decode(byte[] encoded, String contentType) throws ImageRejectedException {
        return decode(encoded, contentType, Function.identity());
    }

    /**
     * Decodes {@code encoded} and returns what {@code use} makes of the image, holding the image's
     * share of the decode budget until {@code use} returns: how a caller that only needs the image
     * briefly (to resize it, say) keeps the raster counted for as long as it lives.
     *
     * @throws java.util.concurrent.CancellationException if interrupted while waiting for the
     *     decode budget
     */
    public <T> T decode(
            byte[] encoded, String contentType, Function<? super BufferedImage, ? extends T> use)
            throws ImageRejectedException {
        Objects.requireNonNull(use, "use");
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
        int orientation =
                format == ImageFormat.JPEG ? ExifOrientation.read(encoded) : ExifOrientation.NORMAL;
        Decoded decoded = read(encoded, format, orientation);
        try (DecodeBudget.Reservation held = decoded.reservation()) {
            return use.apply(ExifOrientation.apply(decoded.image(), orientation));
        }
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

    /**
     * Reads the header, checks the limits, reserves the raster's share of the budget and reads the
     * raster; the reservation is the caller's to release.
     */
    private Decoded read(byte[] encoded, ImageFormat format, int orientation)
            throws ImageRejectedException {
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
            long rasterBytes = checkHeader(reader, format, encoded);
            // An EXIF rotation copies the raster, so both copies live at once.
            long inFlight =
                    orientation == ExifOrientation.NORMAL
                            ? rasterBytes
                            : saturatedMultiply(rasterBytes, 2);
            DecodeBudget.Reservation reservation = budget.reserve(inFlight);
            try {
                BufferedImage image = readRaster(reader, format, encoded);
                if (truncation.get() != null) {
                    throw corrupt(format, encoded, truncation.get(), null);
                }
                return new Decoded(image, reservation);
            } catch (ImageRejectedException | RuntimeException | Error e) {
                reservation.close();
                throw e;
            }
        } catch (IOException e) {
            throw corrupt(format, encoded, describe(e), e);
        } finally {
            reader.dispose();
        }
    }

    /** Checks the declared dimensions against the limits; returns the raster's size in bytes. */
    private long checkHeader(ImageReader reader, ImageFormat format, byte[] encoded)
            throws ImageRejectedException {
        try {
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
            RasterLayout layout = RasterLayout.of(destinationType(reader));
            long bytes = layout.bytes(pixels);
            if (bytes > limits.maxDecodedBytes()) {
                throw new ImageRejectedException(
                        Reason.TOO_MANY_DECODED_BYTES,
                        format.displayName()
                                + " image is "
                                + width
                                + "x"
                                + height
                                + " pixels x "
                                + layout
                                + " = "
                                + bytes
                                + " decoded bytes, over the limit of "
                                + limits.maxDecodedBytes()
                                + " bytes (image.max.decoded.bytes)");
            }
            return bytes;
        } catch (IOException | RuntimeException e) {
            // ImageIO readers signal malformed data with all kinds of runtime exceptions
            // (IndexOutOfBounds, IllegalArgument, NegativeArraySize, ...), not only IIOException.
            throw corrupt(format, encoded, describe(e), e);
        }
    }

    /**
     * The type {@link ImageReader#read(int)} allocates when given no destination: the first of
     * {@link ImageReader#getImageTypes}, as {@code ImageReader.getDestination} picks it.
     */
    private static ImageTypeSpecifier destinationType(ImageReader reader) throws IOException {
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        if (types != null && types.hasNext()) {
            return types.next();
        }
        return reader.getRawImageType(0);
    }

    private static BufferedImage readRaster(ImageReader reader, ImageFormat format, byte[] encoded)
            throws ImageRejectedException {
        try {
            return reader.read(0);
        } catch (IOException | RuntimeException e) {
            throw corrupt(format, encoded, describe(e), e);
        }
    }

    private static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }

    /** A decoded image and the share of the decode budget it holds. */
    private record Decoded(BufferedImage image, DecodeBudget.Reservation reservation) {}

    /**
     * How many bits one pixel takes in a raster of an image type, and how to say it: {@code 3 bands
     * x 1 bytes} for component rasters, {@code 4 bytes per pixel (3 bands packed)} and {@code 1
     * bits per pixel} for packed ones.
     */
    private record RasterLayout(long bitsPerPixel, String description) {

        /** A reader that declares no type is budgeted as 4 bytes per pixel, ARGB. */
        private static final RasterLayout UNKNOWN =
                new RasterLayout(32, "4 bytes per pixel (assumed)");

        static RasterLayout of(ImageTypeSpecifier type) {
            if (type == null) {
                return UNKNOWN;
            }
            SampleModel model = type.getSampleModel();
            int sampleBits = DataBuffer.getDataTypeSize(model.getDataType());
            if (model instanceof MultiPixelPackedSampleModel packed) {
                return new RasterLayout(
                        packed.getPixelBitStride(), packed.getPixelBitStride() + " bits per pixel");
            }
            if (model instanceof SinglePixelPackedSampleModel) {
                return new RasterLayout(
                        sampleBits,
                        sampleBits / 8
                                + " bytes per pixel ("
                                + model.getNumBands()
                                + " bands packed)");
            }
            if (model instanceof ComponentSampleModel) {
                return new RasterLayout(
                        (long) model.getNumBands() * sampleBits,
                        model.getNumBands() + " bands x " + sampleBits / 8 + " bytes");
            }
            long bits = (long) model.getNumDataElements() * sampleBits;
            return new RasterLayout(bits, bits / 8 + " bytes per pixel");
        }

        long bytes(long pixels) {
            long bits = saturatedMultiply(pixels, bitsPerPixel);
            return bits == Long.MAX_VALUE ? Long.MAX_VALUE : (bits + 7) / 8;
        }

        @Override
        public String toString() {
            return description;
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
