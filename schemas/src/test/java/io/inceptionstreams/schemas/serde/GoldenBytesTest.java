package io.inceptionstreams.schemas.serde;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.registry.MockSchemaRegistry;
import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bytes on the wire are a contract with every other Confluent-compatible client. */
class GoldenBytesTest {
    private static final String SCOPE = "golden-bytes";
    private final SchemaRegistryClient registry = MockSchemaRegistry.getClientForScope(SCOPE);

    @AfterEach
    void dropScope() {
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void shouldSerializeToTheCheckedInBytes() throws IOException {
        // Given a fresh registry, where the first schema registered gets id 1
        SpecificAvroSerde<ImageEvent> serde = new SpecificAvroSerde<>(registry);

        // When
        byte[] bytes = serde.serializer().serialize("images", TestRecords.inlineImage());

        // Then
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(golden());
        assertThat(registry.getSchemaById(1)).isEqualTo(ImageEvent.getClassSchema());
    }

    @Test
    void shouldDeserializeTheCheckedInBytes() throws IOException {
        // Given the schema registered as id 1
        SpecificAvroSerde<ImageEvent> serde = new SpecificAvroSerde<>(registry);
        registry.register("images-value", ImageEvent.getClassSchema());

        // When
        ImageEvent event =
                serde.deserializer().deserialize("images", HexFormat.of().parseHex(golden()));

        // Then
        assertThat(event).isEqualTo(TestRecords.inlineImage());
    }

    private static String golden() throws IOException {
        try (InputStream in =
                GoldenBytesTest.class.getResourceAsStream("/golden/image-event-schema-id-1.hex")) {
            return new String(in.readAllBytes(), UTF_8)
                    .lines()
                    .filter(line -> !line.startsWith("#"))
                    .map(line -> line.replaceAll("\\s", ""))
                    .collect(Collectors.joining());
        }
    }
}
