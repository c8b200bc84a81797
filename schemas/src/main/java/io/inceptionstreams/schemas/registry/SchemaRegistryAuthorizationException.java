package io.inceptionstreams.schemas.registry;

/** The registry answered HTTP 403: the credentials are valid but lack a permission. */
public class SchemaRegistryAuthorizationException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public SchemaRegistryAuthorizationException(String message, int errorCode) {
        super(message, 403, errorCode);
    }
}
