package io.inceptionstreams.schemas.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The schema registry could not serve the call now, so nothing is known about the record being
 * (de)serialized: a <em>transient</em> failure, to retry rather than dead-letter.
 *
 * <p>Raised, after the client's own retries ({@code schema.registry.max.retries} within {@code
 * schema.registry.total.timeout.ms}), when the registry
 *
 * <ul>
 *   <li>gave no answer: connection refused, I/O error, request or total timeout ({@link
 *       #httpStatus()} is then {@link #NO_ANSWER}); or
 *   <li>answered that it cannot serve at the moment: HTTP 5xx, 429 Too Many Requests or 408 Request
 *       Timeout (the status and {@code error_code} are the registry's).
 * </ul>
 *
 * <p>Every other {@link SerializationException} of this module's clients and serdes is
 * <em>permanent</em> for the bytes at hand and fails the same way again, among them: a {@link
 * SchemaRegistryException} for an unknown schema id or GUID (404, {@code error_code} 40403), for a
 * subject or version not found, or an incompatible schema; a frame shorter than its header, an
 * unknown magic byte, a malformed schema-id header, a body that does not match its schema. So a
 * caller tells them apart like this (the serdes throw this exception as is, never wrapped):
 *
 * <pre>{@code
 * try {
 *     value = deserializer.deserialize(topic, headers, bytes);
 * } catch (SchemaRegistryUnavailableException e) {
 *     // transient: retry later, keep the record
 * } catch (SerializationException e) {
 *     // permanent: dead-letter the record
 * }
 * }</pre>
 *
 * or, where a framework may have wrapped it, with {@link #isCauseOf(Throwable)}. Authentication
 * (401) and authorization (403) failures are neither: they are {@link
 * SchemaRegistryAuthenticationException} and {@link SchemaRegistryAuthorizationException}, a
 * configuration problem rather than a fault of the record or a passing one.
 */
public class SchemaRegistryUnavailableException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    /** {@link #httpStatus()} and {@link #errorCode()} when the registry gave no answer at all. */
    public static final int NO_ANSWER = -1;

    public SchemaRegistryUnavailableException(
            String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }

    /** Whether the registry answered (with a 5xx, 429 or 408), rather than not at all. */
    public boolean answered() {
        return httpStatus() != NO_ANSWER;
    }

    /**
     * Whether {@code failure} is, or was caused by, a {@link SchemaRegistryUnavailableException}.
     */
    public static boolean isCauseOf(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SchemaRegistryUnavailableException) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /** The HTTP statuses by which a registry says it cannot serve now, so that a retry may work. */
    static boolean isTransientStatus(int httpStatus) {
        return httpStatus >= 500 || httpStatus == 429 || httpStatus == 408;
    }
}
