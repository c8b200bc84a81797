package io.inceptionstreams.schemas.registry;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.apache.avro.Schema;

/**
 * In-JVM registries for tests and local runs, selected with {@code
 * schema.registry.url=mock://scope}.
 *
 * <p>Every client of a scope shares one {@link SchemaStore}, so a serializer and a deserializer
 * configured with the same {@code mock://} URL see the same subjects and ids, as with Confluent's
 * {@code MockSchemaRegistry}. {@link #dropScope(String)} empties a scope for all its clients,
 * including those already created, which lets a test start from a fresh registry without
 * re-creating its serdes.
 */
public final class MockSchemaRegistry {
    private static final String MOCK_URL_PREFIX = "mock://";
    private static final ConcurrentMap<String, SchemaStore> SCOPES = new ConcurrentHashMap<>();

    private MockSchemaRegistry() {}

    public static SchemaRegistryClient getClientForScope(String scope) {
        return new ScopeClient(scope);
    }

    /** Forgets every subject, schema and setting of {@code scope}. */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    static boolean isMockUrl(String url) {
        return url.startsWith(MOCK_URL_PREFIX);
    }

    static SchemaRegistryClient getClientForUrl(String url) {
        return getClientForScope(url.substring(MOCK_URL_PREFIX.length()));
    }

    private record ScopeClient(String scope) implements SchemaRegistryClient {

        private SchemaStore store() {
            return SCOPES.computeIfAbsent(scope, name -> new SchemaStore());
        }

        @Override
        public int register(String subject, Schema schema) {
            return call(
                    RegistryOperations.register(subject),
                    () -> store().register(subject, schema).id());
        }

        @Override
        public int getId(String subject, Schema schema) {
            return call(
                    RegistryOperations.lookup(subject), () -> store().lookup(subject, schema).id());
        }

        @Override
        public Schema getSchemaById(int id) {
            return call(RegistryOperations.fetchById(id), () -> store().schemaById(id));
        }

        @Override
        public Schema getSchemaByGuid(UUID guid) {
            return call(RegistryOperations.fetchByGuid(guid), () -> store().schemaByGuid(guid));
        }

        @Override
        public UUID getGuidById(int id) {
            return call(RegistryOperations.fetchGuid(id), () -> store().guidById(id));
        }

        @Override
        public CompatibilityResult testCompatibility(
                String subject, String version, Schema schema) {
            return call(
                    RegistryOperations.testCompatibility(subject, version),
                    () ->
                            CompatibilityResult.of(
                                    store().incompatibilities(
                                                    subject,
                                                    SchemaStore.parseVersion(version),
                                                    schema)));
        }

        @Override
        public RegisteredSchema getLatestVersion(String subject) {
            return call(RegistryOperations.fetchLatest(subject), () -> store().latest(subject));
        }

        @Override
        public List<String> subjects() {
            return call(RegistryOperations.listSubjects(), () -> store().subjects());
        }

        private static <T> T call(String operation, Supplier<T> storeCall) {
            try {
                return storeCall.get();
            } catch (SchemaRegistryException e) {
                throw SchemaRegistryException.of(
                        operation, e.httpStatus(), e.errorCode(), e.getMessage());
            }
        }
    }
}
