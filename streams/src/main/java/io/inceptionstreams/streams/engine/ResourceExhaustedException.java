package io.inceptionstreams.streams.engine;

/**
 * The resources of the service ran out while one image was prepared: the cause of a {@link
 * RejectionReason#RESOURCE_EXHAUSTED} rejection, with the {@link OutOfMemoryError} as its cause.
 */
public final class ResourceExhaustedException extends Exception {
    private static final long serialVersionUID = 1L;

    public ResourceExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }
}
