package io.inceptionstreams.schemas.registry;

/**
 * The errors of the Confluent Schema Registry REST protocol: an HTTP status and the finer-grained
 * {@code error_code} of the JSON error body {@code {"error_code":40401,"message":"..."}}.
 */
public enum RegistryError {
    MALFORMED_REQUEST(400, 400),
    NOT_FOUND(404, 404),
    SUBJECT_NOT_FOUND(404, 40401),
    VERSION_NOT_FOUND(404, 40402),
    SCHEMA_NOT_FOUND(404, 40403),
    SUBJECT_SOFT_DELETED(404, 40404),
    SUBJECT_NOT_SOFT_DELETED(404, 40405),
    VERSION_SOFT_DELETED(404, 40406),
    VERSION_NOT_SOFT_DELETED(404, 40407),
    SUBJECT_COMPATIBILITY_NOT_CONFIGURED(404, 40408),
    METHOD_NOT_ALLOWED(405, 405),
    INCOMPATIBLE_SCHEMA(409, 409),
    INVALID_SCHEMA(422, 42201),
    INVALID_VERSION(422, 42202),
    INVALID_COMPATIBILITY_LEVEL(422, 42203),
    INTERNAL_ERROR(500, 50001);

    private final int httpStatus;
    private final int errorCode;

    RegistryError(int httpStatus, int errorCode) {
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int errorCode() {
        return errorCode;
    }

    /** The exception a registry raises for this error; {@code message} goes into the body. */
    public SchemaRegistryException exception(String message) {
        return new SchemaRegistryException(message, httpStatus, errorCode);
    }
}
