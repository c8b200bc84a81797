package io.inceptionstreams.model.preprocess;

/**
 * Bounds on what an untrusted encoded image may cost before it is rejected.
 *
 * @param maxEncodedBytes checked before any decoding
 * @param maxPixels width*height as declared in the image header, checked before the raster is
 *     allocated; this bounds decoding memory, since a small compressed file can declare a huge
 *     image
 */
public record ImageLimits(long maxEncodedBytes, long maxPixels) {

    private static final long DEFAULT_MAX_ENCODED_BYTES = 20L * 1024 * 1024;
    private static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    public ImageLimits {
        if (maxEncodedBytes <= 0) {
            throw new IllegalArgumentException(
                    "maxEncodedBytes must be positive, got " + maxEncodedBytes);
        }
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
    }

    /**
     * 20 MiB encoded and 40 megapixels decoded: enough for full-resolution photos from current
     * phone cameras (typically 12-48 MP, under 15 MB as JPEG), while one decode stays under about
     * 160 MB of raster (40 MP at 4 bytes per pixel).
     */
    public static ImageLimits defaults() {
        return new ImageLimits(DEFAULT_MAX_ENCODED_BYTES, DEFAULT_MAX_PIXELS);
    }
}
