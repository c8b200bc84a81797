package io.inceptionstreams.schemas.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * An error answered by a schema registry, with its HTTP status and Confluent {@code error_code}
 * (see {@link RegistryError}).
 *
 * <p>It is a {@link SerializationException} so that producers, consumers and Kafka Streams'
 * exception handlers treat a registry failure like any other failure to (de)serialize a record.
 * Registry authentication and authorization failures are the subclasses {@link
 * SchemaRegistryAuthenticationException} and {@link SchemaRegistryAuthorizationException} rather
 * than Kafka's {@code AuthenticationException}/{@code AuthorizationException}, which would wrongly
 * suggest that the broker rejected the client. A registry that cannot serve now (5xx, 429, 408, or
 * no answer at all) gives the subclass {@link SchemaRegistryUnavailableException}: a transient
 * failure, where every other one is permanent for the record at hand.
 */
public class SchemaRegistryException extends SerializationException {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        this(message, httpStatus, errorCode, null);
    }

    public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent's error code, such as 40401 (subject not found); the HTTP status when absent. */
    public int errorCode() {
        return errorCode;
    }

    /**
     * The exception a client raises when {@code operation} failed with the given registry answer,
     * typed by status so that callers can tell credentials problems and transient unavailability
     * from data problems.
     */
    static SchemaRegistryException of(
            String operation, int httpStatus, int errorCode, String registryMessage) {
        String message =
                operation
                        + " failed (HTTP "
                        + httpStatus
                        + ", error_code "
                        + errorCode
                        + "): "
                        + registryMessage;
        return switch (httpStatus) {
            case 401 -> new SchemaRegistryAuthenticationException(message, errorCode);
            case 403 -> new SchemaRegistryAuthorizationException(message, errorCode);
            default ->
                    SchemaRegistryUnavailableException.isTransientStatus(httpStatus)
                            ? new SchemaRegistryUnavailableException(
                                    message, httpStatus, errorCode, null)
                            : new SchemaRegistryException(message, httpStatus, errorCode);
        };
    }
}
