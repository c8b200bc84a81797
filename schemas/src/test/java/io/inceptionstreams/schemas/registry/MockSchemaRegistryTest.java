package io.inceptionstreams.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MockSchemaRegistryTest {
    private static final Schema SCHEMA =
            SchemaBuilder.record("Ping").fields().requiredString("id").endRecord();

    @AfterEach
    void dropScopes() {
        MockSchemaRegistry.dropScope("a");
        MockSchemaRegistry.dropScope("b");
    }

    @Test
    void shouldShareOneRegistryBetweenTheClientsOfAScope() {
        int id = MockSchemaRegistry.getClientForScope("a").register("pings-value", SCHEMA);

        assertThat(MockSchemaRegistry.getClientForScope("a").getSchemaById(id)).isEqualTo(SCHEMA);
    }

    @Test
    void shouldResolveASchemaByTheGuidOfItsId() {
        SchemaRegistryClient client = MockSchemaRegistry.getClientForScope("a");
        int id = client.register("pings-value", SCHEMA);

        assertThat(client.getSchemaByGuid(client.getGuidById(id))).isEqualTo(SCHEMA);
    }

    @Test
    void shouldNameAnUnknownGuidWhenFailing() {
        UUID guid = UUID.randomUUID();

        assertThatThrownBy(() -> MockSchemaRegistry.getClientForScope("a").getSchemaByGuid(guid))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(40403))
                .hasMessageContaining("GUID " + guid);
    }

    @Test
    void shouldTestCompatibilityWithTheReasons() {
        SchemaRegistryClient client = MockSchemaRegistry.getClientForScope("a");
        client.register("pings-value", SCHEMA);
        Schema withoutDefault =
                SchemaBuilder.record("Ping")
                        .fields()
                        .requiredString("id")
                        .requiredInt("count")
                        .endRecord();

        CompatibilityResult latest =
                client.testCompatibility(
                        "pings-value", SchemaRegistryClient.LATEST_VERSION, withoutDefault);
        CompatibilityResult first = client.testCompatibility("pings-value", "1", SCHEMA);

        assertThat(latest.compatible()).isFalse();
        assertThat(latest.messages()).singleElement().asString().contains("count");
        assertThat(first).isEqualTo(new CompatibilityResult(true, List.of()));
        assertThatThrownBy(() -> client.testCompatibility("pings-value", "0", SCHEMA))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(42202));
    }

    @Test
    void shouldKeepScopesApart() {
        MockSchemaRegistry.getClientForScope("a").register("pings-value", SCHEMA);

        assertThatThrownBy(() -> MockSchemaRegistry.getClientForScope("b").getSchemaById(1))
                .isInstanceOf(SchemaRegistryException.class);
    }

    @Test
    void shouldEmptyADroppedScopeForItsExistingClients() {
        SchemaRegistryClient client = MockSchemaRegistry.getClientForScope("a");
        client.register("pings-value", SCHEMA);

        MockSchemaRegistry.dropScope("a");

        assertThatThrownBy(() -> client.getLatestVersion("pings-value"))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(40401));
    }

    @Test
    void shouldBeSelectedByAMockUrl() {
        try (SchemaRegistryClient client =
                SchemaRegistryClient.create(Map.of(SchemaRegistryClientConfig.URL, "mock://a"))) {
            client.register("pings-value", SCHEMA);
        }

        assertThat(MockSchemaRegistry.getClientForScope("a").getLatestVersion("pings-value"))
                .isEqualTo(new RegisteredSchema("pings-value", 1, 1, SCHEMA));
    }

    @Test
    void shouldRejectAMockUrlAmongOthers() {
        assertThatThrownBy(
                        () ->
                                SchemaRegistryClient.create(
                                        Map.of(
                                                SchemaRegistryClientConfig.URL,
                                                "mock://a,http://localhost:8081")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mock://");
    }

    @Test
    void shouldRequireAUrl() {
        assertThatThrownBy(() -> SchemaRegistryClient.create(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SchemaRegistryClientConfig.URL);
    }

    @Test
    void shouldNameTheSubjectAndTheRegistryErrorWhenFailing() {
        assertThatThrownBy(() -> MockSchemaRegistry.getClientForScope("a").getId("nope", SCHEMA))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessage(
                        "Looking up a schema under subject 'nope' failed (HTTP 404, error_code"
                                + " 40401): Subject 'nope' not found.");
    }
}
