package io.inceptionstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.registry.MockSchemaRegistry;
import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import io.inceptionstreams.schemas.registry.SchemaRegistryClientConfig;
import io.inceptionstreams.schemas.registry.SchemaRegistryException;
import io.inceptionstreams.schemas.registry.server.EmbeddedSchemaRegistry;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaParser;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Records survive serializer, registry and deserializer, over HTTP and with mock://. */
class AvroSerdeRoundTripTest {
    private static final String SCOPE = "round-trip";
    private static final String TOPIC = "images";

    /** An ImageEvent as first released: no content_type nor attributes, the image inline only. */
    private static final Schema FIRST_IMAGE_EVENT =
            SchemaParser.parseSingle(
                    """
                    {"type": "record", "name": "ImageEvent",
                     "namespace": "io.inceptionstreams.schemas.avro",
                     "fields": [
                       {"name": "id", "type": "string"},
                       {"name": "image", "type": "bytes"},
                       {"name": "produced_at",
                        "type": {"type": "long", "logicalType": "timestamp-millis"}}
                     ]}
                    """);

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

    private <T extends SpecificRecord> SpecificAvroSerde<T> specificSerde(
            Map<String, Object> config) {
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>();
        serde.configure(config, false);
        return serde;
    }

    private GenericAvroSerde genericSerde(Map<String, Object> config) {
        GenericAvroSerde serde = new GenericAvroSerde();
        serde.configure(config, false);
        return serde;
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldRoundTripImageEventsWithInlineAndReferencedImages(Registry registry) {
        try (SpecificAvroSerde<ImageEvent> serde = specificSerde(config(registry))) {
            for (ImageEvent event :
                    List.of(TestRecords.inlineImage(), TestRecords.referencedImage())) {
                // When
                byte[] bytes = serde.serializer().serialize(TOPIC, event);
                ImageEvent read = serde.deserializer().deserialize(TOPIC, bytes);

                // Then
                assertThat(read).isEqualTo(event);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldRoundTripLabelEvents(Registry registry) {
        try (SpecificAvroSerde<LabelEvent> serde = specificSerde(config(registry))) {
            LabelEvent event = TestRecords.labels();

            byte[] bytes = serde.serializer().serialize("labels", event);

            assertThat(serde.deserializer().deserialize("labels", bytes)).isEqualTo(event);
        }
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldRoundTripGenericRecords(Registry registry) {
        // Given a record of a schema without generated class
        Schema schema =
                SchemaBuilder.record("Probe")
                        .namespace("io.inceptionstreams.test")
                        .fields()
                        .requiredString("name")
                        .optionalLong("latency_ms")
                        .name("tags")
                        .type()
                        .array()
                        .items()
                        .stringType()
                        .noDefault()
                        .endRecord();
        GenericRecord probe = new GenericData.Record(schema);
        probe.put("name", "warm-up");
        probe.put("latency_ms", 12L);
        probe.put("tags", List.of("a", "b"));

        try (GenericAvroSerde serde = genericSerde(config(registry))) {
            // When
            GenericRecord read =
                    serde.deserializer()
                            .deserialize("probes", serde.serializer().serialize("probes", probe));

            // Then
            assertThat(read).isEqualTo(probe);
            assertThat(read.getSchema()).isEqualTo(schema);
        }
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldReadSpecificDataAsGenericRecordsWhenNotSpecific(Registry registry) {
        try (SpecificAvroSerde<ImageEvent> specific = specificSerde(config(registry));
                GenericAvroSerde generic = genericSerde(config(registry))) {
            byte[] bytes = specific.serializer().serialize(TOPIC, TestRecords.inlineImage());

            GenericRecord read = generic.deserializer().deserialize(TOPIC, bytes);

            assertThat(read.getSchema().getFullName()).isEqualTo(ImageEvent.class.getName());
            assertThat(read.get("id")).hasToString("img-1");
            assertThat(read.get("produced_at")).isEqualTo(TestRecords.PRODUCED_AT.toEpochMilli());
        }
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldReadDataOfAnOlderWriterSchemaIntoTheCurrentClass(Registry registry) {
        // Given an event written by a producer still on the first schema
        GenericRecord old = new GenericData.Record(FIRST_IMAGE_EVENT);
        old.put("id", "img-0");
        old.put("image", ByteBuffer.wrap(new byte[] {9, 8}));
        old.put("produced_at", 1_600_000_000_000L);
        byte[] bytes;
        try (GenericAvroSerde oldProducer = genericSerde(config(registry))) {
            bytes = oldProducer.serializer().serialize(TOPIC, old);
        }

        try (SpecificAvroSerde<ImageEvent> serde = specificSerde(config(registry))) {
            // When
            ImageEvent read = serde.deserializer().deserialize(TOPIC, bytes);

            // Then the new fields take their defaults
            assertThat(read.getId()).isEqualTo("img-0");
            assertThat(read.getImage()).isEqualTo(ByteBuffer.wrap(new byte[] {9, 8}));
            assertThat(read.getProducedAt().toEpochMilli()).isEqualTo(1_600_000_000_000L);
            assertThat(read.getContentType()).isNull();
            assertThat(read.getAttributes()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldWriteAndReadTombstonesAsNull(Registry registry) {
        try (SpecificAvroSerde<ImageEvent> serde = specificSerde(config(registry))) {
            assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
            assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldSerializeWithTheLatestVersionWhenConfigured(Registry registry) {
        // Given a subject whose latest version has a field more than the producer's class
        Map<String, Object> config = config(registry);
        Schema withPriority = withPriorityField(ImageEvent.getClassSchema());
        int latestId;
        try (SchemaRegistryClient client = SchemaRegistryClient.create(config)) {
            client.register("images-value", ImageEvent.getClassSchema());
            latestId = client.register("images-value", withPriority);
        }
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false);
        config.put(AvroSerdeConfig.USE_LATEST_VERSION, true);

        try (SpecificAvroSerde<ImageEvent> producer = specificSerde(config);
                GenericAvroSerde consumer = genericSerde(config)) {
            // When
            byte[] bytes = producer.serializer().serialize(TOPIC, TestRecords.inlineImage());

            // Then the bytes carry the latest id and are written with that schema
            assertThat(ConfluentWireFormat.schemaId(bytes)).isEqualTo(latestId);
            GenericRecord read = consumer.deserializer().deserialize(TOPIC, bytes);
            assertThat(read.getSchema()).isEqualTo(withPriority);
            assertThat(read.get("priority")).isEqualTo(0);
            assertThat(read.get("id")).hasToString("img-1");
            // and the current class still reads them
            assertThat(producer.deserializer().deserialize(TOPIC, bytes))
                    .isEqualTo(TestRecords.inlineImage());
        }
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldFailWhenTheSchemaIsNotRegisteredAndAutoRegistrationIsOff(Registry registry) {
        Map<String, Object> config = config(registry);
        config.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false);

        try (SpecificAvroSerde<ImageEvent> serde = specificSerde(config)) {
            assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, TestRecords.inlineImage()))
                    .isInstanceOfSatisfying(
                            SchemaRegistryException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(40401))
                    .hasMessageContaining("'images-value'");
        }
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldRegisterUnderTheSubjectOfTheConfiguredStrategy(Registry registry) {
        // Given Confluent's name of the strategy, as existing configurations have it
        Map<String, Object> config = config(registry);
        config.put(
                AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY,
                "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy");

        try (SpecificAvroSerde<ImageEvent> serde = specificSerde(config);
                SchemaRegistryClient client = SchemaRegistryClient.create(config)) {
            // When
            byte[] bytes = serde.serializer().serialize(TOPIC, TestRecords.inlineImage());

            // Then
            assertThat(
                            client.getLatestVersion(
                                    "images-io.inceptionstreams.schemas.avro.ImageEvent"))
                    .satisfies(
                            latest ->
                                    assertThat(latest.id())
                                            .isEqualTo(ConfluentWireFormat.schemaId(bytes)));
        }
    }

    @ParameterizedTest
    @EnumSource(Registry.class)
    void shouldRegisterKeysUnderTheKeySubject(Registry registry) {
        try (SpecificAvroSerde<ImageEvent> keySerde = new SpecificAvroSerde<>();
                SchemaRegistryClient client = SchemaRegistryClient.create(config(registry))) {
            keySerde.configure(config(registry), true);

            keySerde.serializer().serialize(TOPIC, TestRecords.inlineImage());

            assertThat(client.getLatestVersion("images-key").schema())
                    .isEqualTo(ImageEvent.getClassSchema());
        }
    }

    private static Schema withPriorityField(Schema schema) {
        List<Schema.Field> fields = new java.util.ArrayList<>();
        schema.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        fields.add(new Schema.Field("priority", Schema.create(Schema.Type.INT), null, 0));
        return Schema.createRecord(
                schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }
}
