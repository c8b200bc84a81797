package io.inceptionstreams.model.preprocess;

import java.util.Objects;

/**
 * An encoded image that will not be classified, with the {@link Reason} callers switch on (for
 * example to choose an HTTP status or a dead-letter topic) and a message stating the fact the
 * sender needs to fix it.
 */
public final class ImageRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why an image was rejected. */
    public enum Reason {
        /** More encoded bytes than {@link ImageLimits#maxEncodedBytes()}. */
        TOO_LARGE,
        /** Declared dimensions over {@link ImageLimits#maxPixels()}. */
        TOO_MANY_PIXELS,
        /**
         * The raster the header declares (width x height x bands x bytes per sample) is over {@link
         * ImageLimits#maxDecodedBytes()}.
         */
        TOO_MANY_DECODED_BYTES,
        /** Not an image, or an image format that cannot be decoded here. */
        UNSUPPORTED_TYPE,
        /** Recognized as an image format but not decodable: empty, truncated or damaged. */
        CORRUPT
    }

    private final Reason reason;

    public ImageRejectedException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ImageRejectedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
