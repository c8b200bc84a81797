package io.inceptionstreams.streams;

/**
 * The service cannot start because something outside it is missing or unreachable: the broker, a
 * topic, the schema registry or the model bundle. The message is one line saying what and where,
 * fit to show a user as is.
 */
public final class ServiceStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ServiceStartException(String message, Throwable cause) {
        super(message, cause);
    }

    public ServiceStartException(String message) {
        super(message);
    }
}
