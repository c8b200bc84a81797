package io.inceptionstreams.streams.engine;

import java.util.Objects;

/** An image reference that will not be followed or could not be fetched. */
public final class ImageReferenceException extends Exception {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    public ImageReferenceException(RejectionReason reason, String message) {
        this(reason, message, null);
    }

    public ImageReferenceException(RejectionReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public RejectionReason reason() {
        return reason;
    }
}
