package io.inceptionstreams.schemas.serde;

import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import java.util.Map;

/**
 * The registry client of a serializer or deserializer: either given at construction (borrowed,
 * never closed here) or created from the configuration on every {@code configure} (owned, and
 * closed with its user).
 */
final class RegistryClientHolder {
    private final String user;
    private final boolean borrowed;
    private SchemaRegistryClient client;

    private RegistryClientHolder(String user, boolean borrowed, SchemaRegistryClient client) {
        this.user = user;
        this.borrowed = borrowed;
        this.client = client;
    }

    /** A holder that creates its client in {@link #configure}; {@code user} names the owner. */
    static RegistryClientHolder owned(String user) {
        return new RegistryClientHolder(user, false, null);
    }

    /** A holder of {@code client}, which it never closes. */
    static RegistryClientHolder borrowed(String user, SchemaRegistryClient client) {
        return new RegistryClientHolder(user, true, client);
    }

    /** Replaces an owned client by one for {@code configs}; a borrowed one stays. */
    void configure(Map<String, ?> configs) {
        if (!borrowed) {
            close();
            client = SchemaRegistryClient.create(configs);
        }
    }

    /**
     * The client.
     *
     * @throws IllegalStateException when an owned client was never configured
     */
    SchemaRegistryClient client() {
        if (client == null) {
            throw new IllegalStateException(
                    user + " is not configured: call configure() with schema.registry.url");
        }
        return client;
    }

    /** Closes an owned client. */
    void close() {
        if (!borrowed && client != null) {
            client.close();
        }
    }
}
