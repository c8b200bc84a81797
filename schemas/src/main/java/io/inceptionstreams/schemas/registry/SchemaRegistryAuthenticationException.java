package io.inceptionstreams.schemas.registry;

/** The registry answered HTTP 401: missing or wrong {@code basic.auth.*} credentials. */
public class SchemaRegistryAuthenticationException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public SchemaRegistryAuthenticationException(String message, int errorCode) {
        super(message, 401, errorCode);
    }
}
