package io.inceptionstreams.model.preprocess;

/**
 * Bounds on what an untrusted encoded image may cost before it is rejected.
 *
 * @param maxEncodedBytes checked before any decoding
 * @param maxPixels width*height as declared in the image header, checked before the raster is
 *     allocated; this bounds decoding memory, since a small compressed file can declare a huge
 *     image
 * @param maxDecodedBytes the raster the decoder would allocate, width x height x bands x bytes per
 *     sample as the header and the reader's image type declare it, checked before the raster is
 *     read; also the decode memory a decoder lets be in flight at once across all its threads (see
 *     {@link ImageDecoder}), so that no mix of valid-looking images can exhaust the heap
 */
public record ImageLimits(long maxEncodedBytes, long maxPixels, long maxDecodedBytes) {

    private static final long DEFAULT_MAX_ENCODED_BYTES = 20L * 1024 * 1024;
    private static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    private static final long DEFAULT_MAX_DECODED_BYTES = 128L * 1024 * 1024;

    public ImageLimits {
        if (maxEncodedBytes <= 0) {
            throw new IllegalArgumentException(
                    "maxEncodedBytes must be positive, got " + maxEncodedBytes);
        }
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        if (maxDecodedBytes <= 0) {
            throw new IllegalArgumentException(
                    "maxDecodedBytes must be positive, got " + maxDecodedBytes);
        }
    }

    /** The given byte and pixel limits with the default decoded-bytes limit (128 MiB). */
    public ImageLimits(long maxEncodedBytes, long maxPixels) {
        this(maxEncodedBytes, maxPixels, DEFAULT_MAX_DECODED_BYTES);
    }

    /**
     * 20 MiB encoded, 40 megapixels and 128 MiB of decoded raster: enough for full-resolution
     * photos from current phone cameras (typically 12-48 MP, under 15 MB as JPEG; 40 MP of 8-bit
     * RGB is 120 MB of raster), while 40 MP with alpha or 16-bit samples is refused by the raster
     * limit before it is decoded.
     */
    public static ImageLimits defaults() {
        return new ImageLimits(
                DEFAULT_MAX_ENCODED_BYTES, DEFAULT_MAX_PIXELS, DEFAULT_MAX_DECODED_BYTES);
    }
}
