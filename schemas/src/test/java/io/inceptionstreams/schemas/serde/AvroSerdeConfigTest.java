package io.inceptionstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.registry.MockSchemaRegistry;
import io.inceptionstreams.schemas.registry.SchemaRegistryClientConfig;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AvroSerdeConfigTest {
    private static final String SCOPE = "serde-config";

    @AfterEach
    void dropScope() {
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void shouldRequireTheRegistryUrlWithoutAGivenClient() {
        assertThatThrownBy(() -> new AvroSerializer<GenericRecord>().configure(Map.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void shouldRefuseToSerializeBeforeBeingConfigured() {
        assertThatThrownBy(
                        () ->
                                new AvroSerializer<ImageEvent>()
                                        .serialize("images", TestRecords.inlineImage()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("configure");
    }

    @Test
    void shouldRejectAReaderTypeThatIsNotAGeneratedRecord() {
        assertThatThrownBy(
                        () ->
                                new AvroSerdeConfig(
                                        Map.of(
                                                AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE,
                                                String.class)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE);
    }

    @Test
    void shouldRejectAnUnknownSubjectNameStrategy() {
        assertThatThrownBy(
                        () ->
                                new AvroSerdeConfig(
                                        Map.of(
                                                AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY,
                                                "SomeoneElsesStrategy")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SomeoneElsesStrategy");
    }

    @Test
    void shouldDefaultToConfluentSemantics() {
        AvroSerdeConfig config = new AvroSerdeConfig(Map.of());

        assertThat(config.getBoolean(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS)).isTrue();
        assertThat(config.getBoolean(AvroSerdeConfig.USE_LATEST_VERSION)).isFalse();
        assertThat(config.getBoolean(AvroSerdeConfig.SPECIFIC_AVRO_READER)).isFalse();
        assertThat(config.subjectNameStrategy(false)).isInstanceOf(TopicNameStrategy.class);
        assertThat(config.specificReaderType(false)).isNull();
    }

    @Test
    void shouldReadIntoTheConfiguredReaderType() {
        // Given a deserializer told the value class explicitly, as a class name string
        Map<String, Object> config =
                Map.of(
                        SchemaRegistryClientConfig.URL,
                        "mock://" + SCOPE,
                        AvroSerdeConfig.SPECIFIC_AVRO_READER,
                        "true",
                        AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE,
                        ImageEvent.class.getName());
        try (AvroSerializer<ImageEvent> serializer = new AvroSerializer<>();
                AvroDeserializer<ImageEvent> deserializer = new AvroDeserializer<>()) {
            serializer.configure(config, false);
            deserializer.configure(config, false);

            byte[] bytes = serializer.serialize("images", TestRecords.referencedImage());

            assertThat(deserializer.deserialize("images", bytes))
                    .isEqualTo(TestRecords.referencedImage());
        }
    }
}
