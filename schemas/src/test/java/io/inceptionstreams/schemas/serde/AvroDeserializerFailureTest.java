package io.inceptionstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.registry.MockSchemaRegistry;
import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import io.inceptionstreams.schemas.registry.SchemaRegistryClientConfig;
import io.inceptionstreams.schemas.registry.SchemaRegistryException;
import io.inceptionstreams.schemas.registry.SchemaRegistryUnavailableException;
import io.inceptionstreams.schemas.registry.ScriptedHttpServer;
import io.inceptionstreams.schemas.registry.ScriptedHttpServer.Reply;
import io.inceptionstreams.schemas.registry.server.EmbeddedSchemaRegistry;
import java.io.EOFException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever arrives, the deserializer answers with a {@link SerializationException} that says where
 * it failed, within a bounded time: never a NullPointerException, never a hang.
 */
class AvroDeserializerFailureTest {
    private static final String SCOPE = "deserializer-failures";
    private static final String TOPIC = "images";

    private final SchemaRegistryClient registry = MockSchemaRegistry.getClientForScope(SCOPE);
    private final SpecificAvroSerde<ImageEvent> serde = new SpecificAvroSerde<>(registry);

    @AfterEach
    void dropScope() {
        serde.close();
        MockSchemaRegistry.dropScope(SCOPE);
    }

    private byte[] validImageEvent() {
        return serde.serializer().serialize(TOPIC, TestRecords.inlineImage());
    }

    @Test
    void shouldRejectUnknownMagicByte() {
        byte[] bytes = validImageEvent();
        bytes[0] = 0x01;

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'images'")
                .hasMessageContaining("magic byte 0x01");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4})
    void shouldRejectFrameShorterThanHeader(int length) {
        byte[] bytes = Arrays.copyOf(validImageEvent(), length);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'images'")
                .hasMessageContaining("Frame of " + length + " bytes");
    }

    @Test
    void shouldRejectTruncatedAvroBody() {
        byte[] complete = validImageEvent();
        byte[] truncated = Arrays.copyOf(complete, complete.length - 4);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'images' (schema id 1)")
                .hasRootCauseInstanceOf(EOFException.class);
    }

    @Test
    void shouldRejectCorruptUnionBranch() {
        // Given the union index of "image" (after the header and the 6 bytes of id) out of range
        byte[] bytes = validImageEvent();
        bytes[ConfluentWireFormat.HEADER_LENGTH + 6] = 0x08;

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'images' (schema id 1)");
    }

    @Test
    void shouldRejectBytesLeftOverAfterTheRecord() {
        byte[] complete = validImageEvent();
        byte[] padded = Arrays.copyOf(complete, complete.length + 1);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, padded))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'images' (schema id 1)")
                .hasMessageContaining("left over");
    }

    @Test
    void shouldRejectDataWrittenWithAnotherSchemaOfTheSameId() {
        // Given LabelEvent bytes framed with the ImageEvent schema id
        byte[] imageFrame = validImageEvent();
        SpecificAvroSerde<LabelEvent> labelSerde = new SpecificAvroSerde<>(registry);
        byte[] labelBytes = labelSerde.serializer().serialize("labels", TestRecords.labels());
        byte[] forged = labelBytes.clone();
        System.arraycopy(imageFrame, 0, forged, 0, ConfluentWireFormat.HEADER_LENGTH);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, forged))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'images' (schema id 1)");
    }

    @Test
    void shouldFailWhenNoGeneratedClassMatchesTheWriterSchema() {
        // Given data of a record type this application has no class for
        GenericRecord unknown =
                new GenericData.Record(
                        SchemaBuilder.record("Unknown")
                                .namespace("com.example")
                                .fields()
                                .requiredInt("n")
                                .endRecord());
        unknown.put("n", 1);
        byte[] bytes = new GenericAvroSerde(registry).serializer().serialize("other", unknown);

        assertThatThrownBy(() -> serde.deserializer().deserialize("other", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'other'")
                .hasMessageContaining("no generated class com.example.Unknown");
    }

    @Test
    void shouldFailOnSchemaIdTheRegistryDoesNotKnow() {
        // Given an HTTP registry that never saw schema 999
        try (EmbeddedSchemaRegistry embedded = new EmbeddedSchemaRegistry().start();
                SpecificAvroSerde<ImageEvent> httpSerde = new SpecificAvroSerde<>()) {
            httpSerde.configure(Map.of(SchemaRegistryClientConfig.URL, embedded.url()), false);
            byte[] bytes = validImageEvent();
            bytes[4] = (byte) 999;
            bytes[3] = (byte) (999 >> 8);

            assertThatThrownBy(() -> httpSerde.deserializer().deserialize(TOPIC, bytes))
                    .isNotInstanceOf(SchemaRegistryUnavailableException.class)
                    .isInstanceOfSatisfying(
                            SchemaRegistryException.class,
                            e -> {
                                assertThat(e.httpStatus()).isEqualTo(404);
                                assertThat(e.errorCode()).isEqualTo(40403);
                            })
                    .hasMessageContaining("schema id 999")
                    .hasMessageContaining("Schema 999 not found");
        }
    }

    @Test
    void shouldFailWithinTheTimeoutWhenTheRegistryIsUnreachable() throws IOException {
        // Given a port nobody listens on any more
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (SpecificAvroSerde<ImageEvent> unreachable = new SpecificAvroSerde<>()) {
            unreachable.configure(
                    Map.of(
                            SchemaRegistryClientConfig.URL, "http://127.0.0.1:" + closedPort,
                            SchemaRegistryClientConfig.CONNECT_TIMEOUT_MS, 1000,
                            SchemaRegistryClientConfig.MAX_RETRIES, 2,
                            SchemaRegistryClientConfig.RETRY_BACKOFF_MS, 10),
                    false);
            byte[] bytes = validImageEvent();

            long start = System.nanoTime();
            assertThatThrownBy(() -> unreachable.deserializer().deserialize(TOPIC, bytes))
                    .isInstanceOf(SchemaRegistryUnavailableException.class)
                    .hasMessageContaining("Fetching schema id 1 (3 attempts")
                    .hasMessageContaining("no answer from the schema registry");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldFailWithinABoundedTimeWhenTheRegistryIsTooSlow() {
        // Given a registry that would answer only after 30 s, twice
        try (ScriptedHttpServer slow =
                        new ScriptedHttpServer()
                                .then(Reply.slow(Duration.ofSeconds(30)))
                                .then(Reply.slow(Duration.ofSeconds(30)));
                SpecificAvroSerde<ImageEvent> impatient = new SpecificAvroSerde<>()) {
            impatient.configure(
                    Map.of(
                            SchemaRegistryClientConfig.URL, slow.url(),
                            SchemaRegistryClientConfig.REQUEST_TIMEOUT_MS, 200,
                            SchemaRegistryClientConfig.MAX_RETRIES, 1,
                            SchemaRegistryClientConfig.RETRY_BACKOFF_MS, 10),
                    false);
            byte[] bytes = validImageEvent();

            // When
            long start = System.nanoTime();
            assertThatThrownBy(() -> impatient.deserializer().deserialize(TOPIC, bytes))
                    // Then
                    .isInstanceOf(SerializationException.class)
                    .isInstanceOf(SchemaRegistryUnavailableException.class)
                    .hasMessageContaining("Fetching schema id 1 (2 attempts")
                    .hasCauseInstanceOf(HttpTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(400), Duration.ofSeconds(10));
            assertThat(slow.received()).hasSize(2);
        }
    }
}
