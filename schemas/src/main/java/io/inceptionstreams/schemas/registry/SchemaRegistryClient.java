package io.inceptionstreams.schemas.registry;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;

/**
 * The part of a Confluent-compatible schema registry that Avro serializers need.
 *
 * <p>Failures are {@link SchemaRegistryException}s naming the subject, id or GUID. Those of a
 * registry that cannot serve now (unreachable, timed out, HTTP 5xx, 429, 408) are {@link
 * SchemaRegistryUnavailableException}s, transient; all others are permanent. Implementations are
 * thread-safe. Create one from a configuration with {@link #create(Map)}.
 */
public interface SchemaRegistryClient extends AutoCloseable {
    /** The version of {@link #testCompatibility} that means the latest version of the subject. */
    String LATEST_VERSION = "latest";

    /** Registers {@code schema} under {@code subject} if it is new there; returns its id. */
    int register(String subject, Schema schema);

    /** The id of {@code schema}, which must already be registered under {@code subject}. */
    int getId(String subject, Schema schema);

    Schema getSchemaById(int id);

    /**
     * The schema with {@code guid}, as written in Confluent's schema-id record headers ({@code GET
     * /schemas/guids/{guid}}, Confluent Schema Registry 8.0 and later).
     *
     * @throws SchemaRegistryException 40403 when the registry knows no such GUID
     */
    Schema getSchemaByGuid(UUID guid);

    /**
     * The GUID of schema {@code id}, to write in a schema-id record header.
     *
     * @throws SchemaRegistryException 40403 for an unknown id; a {@link
     *     org.apache.kafka.common.errors.SerializationException} when the registry gives no GUIDs
     *     (before Confluent 8.0)
     */
    UUID getGuidById(int id);

    /**
     * Tests whether {@code schema} may follow version {@code version} of {@code subject} at the
     * subject's compatibility level, without registering it ({@code POST
     * /compatibility/subjects/{subject}/versions/{version}?verbose=true}).
     *
     * @param version a version number from 1, or {@value #LATEST_VERSION}
     * @return the verdict, with the reasons when incompatible
     * @throws SchemaRegistryException 40401 for an unknown subject, 40402 for an unknown version,
     *     42202 for an invalid version, 42201 for a schema the registry does not accept
     */
    CompatibilityResult testCompatibility(String subject, String version, Schema schema);

    RegisteredSchema getLatestVersion(String subject);

    /**
     * Every subject with a live version. Cheap on any registry, so it also serves to check that the
     * registry is reachable (and the credentials accepted) before anything depends on it.
     */
    List<String> subjects();

    @Override
    default void close() {}

    /**
     * The client for {@link SchemaRegistryClientConfig#URL}: the {@link MockSchemaRegistry} scope
     * for {@code mock://scope}, otherwise an {@link HttpSchemaRegistryClient}.
     *
     * @param configs keys of {@link SchemaRegistryClientConfig}; others are ignored
     * @throws ConfigException when the URL is missing or mixes {@code mock://} with others
     */
    static SchemaRegistryClient create(Map<String, ?> configs) {
        SchemaRegistryClientConfig config = new SchemaRegistryClientConfig(configs);
        List<String> urls = config.urls();
        List<String> mockUrls = urls.stream().filter(MockSchemaRegistry::isMockUrl).toList();
        if (mockUrls.isEmpty()) {
            return new HttpSchemaRegistryClient(config);
        }
        if (urls.size() > 1) {
            throw new ConfigException(
                    SchemaRegistryClientConfig.URL,
                    String.join(",", urls),
                    "a mock:// URL must be the only one");
        }
        return MockSchemaRegistry.getClientForUrl(mockUrls.get(0));
    }
}
