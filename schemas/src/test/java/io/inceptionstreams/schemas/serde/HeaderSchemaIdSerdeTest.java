package io.inceptionstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.registry.MockSchemaRegistry;
import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import io.inceptionstreams.schemas.registry.SchemaRegistryClientConfig;
import io.inceptionstreams.schemas.registry.SchemaRegistryException;
import io.inceptionstreams.schemas.registry.SchemaRegistryUnavailableException;
import io.inceptionstreams.schemas.registry.server.EmbeddedSchemaRegistry;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Records whose schema GUID travels in a header, as Confluent's {@code HeaderSchemaIdSerializer}
 * writes them, over HTTP and with mock://, side by side with prefix-framed records.
 */
class HeaderSchemaIdSerdeTest {
    private static final String SCOPE = "header-schema-id";
    private static final String TOPIC = "images";

    enum Registry {
        EMBEDDED_HTTP,
        MOCK
    }

    private EmbeddedSchemaRegistry embedded;

    @BeforeEach
    void startRegistry() {
        embedded = new EmbeddedSchemaRegistry().start();
    }

    @AfterEach
    void stopRegistries() {
        embedded.close();
        MockSchemaRegistry.dropScope(SCOPE);
    }

    private Map<String, Object> config(Registry registry) {
        Map<String, Object> config = new HashMap<>();
        config.put(
                SchemaRegistryClientConfig.URL,
                registry == Registry.MOCK ? "mock://" + SCOPE : embedded.url());
        return config;
    }

    private Map<String, Object> headerConfig(Registry registry) {
        Map<String, Object> config = config(registry);
        config.put(
                AvroSerdeConfig.VALUE_SCHEMA_ID_SERIALIZER,
                AvroSerdeConfig.HEADER_SCHEMA_ID_SERIALIZER);
        config.put(
                AvroSerdeConfig.KEY_SCHEMA_ID_SERIALIZER,
                AvroSerdeConfig.HEADER_SCHEMA_ID_SERIALIZER);
        return config;
    }

    private static SpecificAvroSerde<ImageEvent> serde(Map<String, Object> config, boolean isKey) {
        SpecificAvroSerde<ImageEvent> serde = new SpecificAvroSerde<>();
        serde.configure(config, isKey);
        return serde;
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldRoundTripHeaderFramedRecords(Registry registry) {
        try (SpecificAvroSerde<ImageEvent> serde = serde(headerConfig(registry), false)) {
            for (ImageEvent event :
                    List.of(TestRecords.inlineImage(), TestRecords.referencedImage())) {
                Headers headers = new RecordHeaders();

                byte[] bytes = serde.serializer().serialize(TOPIC, headers, event);

                assertThat(serde.deserializer().deserialize(TOPIC, headers, bytes))
                        .isEqualTo(event);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldWriteTheSchemaGuidInTheHeaderAndABareAvroBody(Registry registry) {
        try (SpecificAvroSerde<ImageEvent> prefixed = serde(config(registry), false);
                SpecificAvroSerde<ImageEvent> headed = serde(headerConfig(registry), false);
                SchemaRegistryClient client = SchemaRegistryClient.create(config(registry))) {
            byte[] prefixFramed = prefixed.serializer().serialize(TOPIC, TestRecords.inlineImage());
            Headers headers = new RecordHeaders();

            byte[] bare = headed.serializer().serialize(TOPIC, headers, TestRecords.inlineImage());

            // Then the body is the prefix-framed record without its 5 bytes
            assertThat(bare)
                    .isEqualTo(
                            Arrays.copyOfRange(
                                    prefixFramed,
                                    ConfluentWireFormat.HEADER_LENGTH,
                                    prefixFramed.length));
            // and the header is 0x01 then the 16 bytes of the GUID of the schema id
            UUID guid = client.getGuidById(ConfluentWireFormat.schemaId(prefixFramed));
            byte[] value = headers.lastHeader("__value_schema_id").value();
            assertThat(value).hasSize(17).startsWith(0x01);
            ByteBuffer buffer = ByteBuffer.wrap(value, 1, 16);
            assertThat(new UUID(buffer.getLong(), buffer.getLong())).isEqualTo(guid);
            assertThat(headers.toArray()).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldReadPrefixAndHeaderFramedRecordsMixedOnOneTopic(Registry registry) {
        try (SpecificAvroSerde<ImageEvent> prefixProducer = serde(config(registry), false);
                SpecificAvroSerde<ImageEvent> headerProducer =
                        serde(headerConfig(registry), false);
                SpecificAvroSerde<ImageEvent> consumer = serde(config(registry), false)) {
            // Given records of both kinds of producers, interleaved
            List<ImageEvent> events =
                    List.of(
                            TestRecords.inlineImage(),
                            TestRecords.referencedImage(),
                            TestRecords.inlineImage(),
                            TestRecords.referencedImage());
            List<Headers> headers = new java.util.ArrayList<>();
            List<byte[]> values = new java.util.ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                Headers recordHeaders = new RecordHeaders();
                SpecificAvroSerde<ImageEvent> producer =
                        i % 2 == 0 ? prefixProducer : headerProducer;
                values.add(producer.serializer().serialize(TOPIC, recordHeaders, events.get(i)));
                headers.add(recordHeaders);
            }

            // When / Then each reads back, in order
            for (int i = 0; i < events.size(); i++) {
                assertThat(
                                consumer.deserializer()
                                        .deserialize(TOPIC, headers.get(i), values.get(i)))
                        .isEqualTo(events.get(i));
            }
            assertThat(headers.get(0).toArray()).isEmpty();
            assertThat(headers.get(1).lastHeader("__value_schema_id")).isNotNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldFailPermanentlyOnAnUnknownGuidNamingIt(Registry registry) {
        UUID unknown = UUID.fromString("6f1c0d9e-2b3a-4c5d-8e7f-90a1b2c3d4e5");
        try (SpecificAvroSerde<ImageEvent> serde = serde(headerConfig(registry), false)) {
            Headers headers = new RecordHeaders();
            byte[] bare = serde.serializer().serialize(TOPIC, headers, TestRecords.inlineImage());
            headers.remove("__value_schema_id");
            headers.add("__value_schema_id", SchemaIdHeader.ofGuid(unknown));

            assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, headers, bare))
                    .isNotInstanceOf(SchemaRegistryUnavailableException.class)
                    .isInstanceOfSatisfying(
                            SchemaRegistryException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(40403))
                    .hasMessageContaining("schema GUID " + unknown)
                    .hasMessageContaining("Schema with GUID " + unknown + " not found");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "", // no value
                "01 0a0b", // a GUID cut short
                "00 0000000100", // an id too long
                "02 00000001" // an unknown magic byte
            })
    void shouldRejectAMalformedHeaderPermanently(String hex) {
        Headers headers = new RecordHeaders();
        headers.add("__value_schema_id", hex.isEmpty() ? null : bytes(hex));
        try (SpecificAvroSerde<ImageEvent> serde = serde(config(Registry.MOCK), false)) {
            assertThatThrownBy(
                            () -> serde.deserializer().deserialize(TOPIC, headers, new byte[] {2}))
                    .isInstanceOf(SerializationException.class)
                    .isNotInstanceOf(SchemaRegistryUnavailableException.class)
                    .hasMessageContaining("topic 'images' (header __value_schema_id)")
                    .hasMessageContaining("Schema-id header");
        }
    }

    @Test
    void shouldReadAHeaderHoldingASchemaId() {
        try (SpecificAvroSerde<ImageEvent> serde = serde(config(Registry.MOCK), false)) {
            byte[] framed = serde.serializer().serialize(TOPIC, TestRecords.inlineImage());
            Headers headers = new RecordHeaders();
            headers.add(
                    "__value_schema_id", Arrays.copyOf(framed, ConfluentWireFormat.HEADER_LENGTH));
            byte[] bare =
                    Arrays.copyOfRange(framed, ConfluentWireFormat.HEADER_LENGTH, framed.length);

            assertThat(serde.deserializer().deserialize(TOPIC, headers, bare))
                    .isEqualTo(TestRecords.inlineImage());
        }
    }

    @Test
    void shouldUseTheKeyHeaderForKeysAndLeaveTheValueHeaderAlone() {
        try (SpecificAvroSerde<ImageEvent> keySerde = serde(headerConfig(Registry.MOCK), true);
                SpecificAvroSerde<ImageEvent> valueSerde = serde(config(Registry.MOCK), false)) {
            Headers headers = new RecordHeaders();
            byte[] key = keySerde.serializer().serialize(TOPIC, headers, TestRecords.inlineImage());
            byte[] value =
                    valueSerde
                            .serializer()
                            .serialize(TOPIC, headers, TestRecords.referencedImage());

            assertThat(headers.lastHeader("__key_schema_id")).isNotNull();
            assertThat(headers.lastHeader("__value_schema_id")).isNull();
            assertThat(keySerde.deserializer().deserialize(TOPIC, headers, key))
                    .isEqualTo(TestRecords.inlineImage());
            assertThat(valueSerde.deserializer().deserialize(TOPIC, headers, value))
                    .isEqualTo(TestRecords.referencedImage());
        }
    }

    @Test
    void shouldReplaceASchemaIdHeaderAlreadyOnTheRecord() {
        try (SpecificAvroSerde<ImageEvent> serde = serde(headerConfig(Registry.MOCK), false)) {
            Headers headers = new RecordHeaders();
            headers.add("__value_schema_id", SchemaIdHeader.ofGuid(UUID.randomUUID()));

            byte[] bare = serde.serializer().serialize(TOPIC, headers, TestRecords.inlineImage());

            assertThat(headers.headers("__value_schema_id")).hasSize(1);
            assertThat(serde.deserializer().deserialize(TOPIC, headers, bare))
                    .isEqualTo(TestRecords.inlineImage());
        }
    }

    @Test
    void shouldWriteTheDefaultPrefixAndNoHeader() {
        try (SpecificAvroSerde<ImageEvent> serde = serde(config(Registry.MOCK), false)) {
            Headers headers = new RecordHeaders();

            byte[] framed = serde.serializer().serialize(TOPIC, headers, TestRecords.inlineImage());

            assertThat(headers.toArray()).isEmpty();
            assertThat(ConfluentWireFormat.schemaId(framed)).isEqualTo(1);
        }
    }

    @Test
    void shouldWriteTombstonesWithoutHeader() {
        try (SpecificAvroSerde<ImageEvent> serde = serde(headerConfig(Registry.MOCK), false)) {
            Headers headers = new RecordHeaders();

            assertThat(serde.serializer().serialize(TOPIC, headers, null)).isNull();
            assertThat(headers.toArray()).isEmpty();
            assertThat(serde.deserializer().deserialize(TOPIC, headers, (byte[]) null)).isNull();
        }
    }

    @Test
    void shouldRefuseToWriteTheHeaderFormWithoutHeaders() {
        try (SpecificAvroSerde<ImageEvent> serde = serde(headerConfig(Registry.MOCK), false)) {
            assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, TestRecords.inlineImage()))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("value.schema.id.serializer")
                    .hasMessageContaining("no headers");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "io.confluent.kafka.serializers.schema.id.HeaderSchemaIdSerializer",
                "HeaderSchemaIdSerializer"
            })
    void shouldAcceptConfluentsNamesOfTheHeaderSerializer(String name) {
        Map<String, Object> config = config(Registry.MOCK);
        config.put(AvroSerdeConfig.VALUE_SCHEMA_ID_SERIALIZER, name);
        try (SpecificAvroSerde<ImageEvent> serde = serde(config, false)) {
            Headers headers = new RecordHeaders();

            serde.serializer().serialize(TOPIC, headers, TestRecords.inlineImage());

            assertThat(headers.lastHeader("__value_schema_id")).isNotNull();
        }
    }

    @Test
    void shouldRejectAnUnknownSchemaIdSerializer() {
        Map<String, Object> config = config(Registry.MOCK);
        config.put(
                AvroSerdeConfig.KEY_SCHEMA_ID_SERIALIZER, "com.example.FooterSchemaIdSerializer");

        assertThatThrownBy(() -> serde(config, true))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key.schema.id.serializer")
                .hasMessageContaining("HeaderSchemaIdSerializer");
    }

    private static byte[] bytes(String hex) {
        String digits = hex.replace(" ", "");
        byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }
}
