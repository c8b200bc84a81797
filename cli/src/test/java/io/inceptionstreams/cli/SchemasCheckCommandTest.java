package io.inceptionstreams.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import io.inceptionstreams.schemas.registry.server.EmbeddedSchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code schemas check} asks a real registry, over HTTP, whether a schema may evolve. */
class SchemasCheckCommandTest {
    @TempDir Path dir;
    private EmbeddedSchemaRegistry registry;

    @BeforeEach
    void start() {
        registry = new EmbeddedSchemaRegistry().start();
        try (SchemaRegistryClient client =
                SchemaRegistryClient.create(Map.of("schema.registry.url", registry.url()))) {
            client.register("images-value", ImageEvent.getClassSchema());
        }
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    /** ImageEvent with one more field, with or without a default. */
    private Path imageEventWith(String field) throws Exception {
        String json = ImageEvent.getClassSchema().toString();
        String extended = json.substring(0, json.lastIndexOf(']')) + "," + field + "]}";
        return Files.writeString(dir.resolve("ImageEvent-next.avsc"), extended);
    }

    @Test
    void shouldSayCompatibleAndExitZeroForAFieldAddedWithADefault() throws Exception {
        Path candidate =
                imageEventWith(
                        "{\"name\":\"camera\",\"type\":[\"null\",\"string\"],\"default\":null}");

        CommandResult result =
                CommandResult.run("schemas", "check", "-r", registry.url(), candidate.toString());

        assertThat(result.exitCode()).as(result.err()).isEqualTo(InceptionStreams.EXIT_OK);
        assertThat(result.out())
                .startsWith("compatible: io.inceptionstreams.schemas.avro.ImageEvent with")
                .contains("images-value version latest");
    }

    @Test
    void shouldSayNotCompatibleWithTheReasonAndExitOneForAFieldAddedWithoutADefault()
            throws Exception {
        Path candidate = imageEventWith("{\"name\":\"camera\",\"type\":\"string\"}");

        CommandResult result =
                CommandResult.run("schemas", "check", "-r", registry.url(), candidate.toString());

        assertThat(result.exitCode()).isEqualTo(InceptionStreams.EXIT_FAILURE);
        assertThat(result.outLines().get(0)).startsWith("NOT compatible:");
        assertThat(result.out()).contains("camera");
    }

    @Test
    void shouldSayCompatibleForASubjectWithNoVersionYet() throws Exception {
        Path candidate = imageEventWith("{\"name\":\"camera\",\"type\":\"string\"}");

        CommandResult result =
                CommandResult.run(
                        "schemas",
                        "check",
                        "-r",
                        registry.url(),
                        "--subject",
                        "fresh-value",
                        candidate.toString());

        assertThat(result.exitCode()).as(result.err()).isEqualTo(InceptionStreams.EXIT_OK);
        assertThat(result.out()).contains("fresh-value has no version yet");
    }
}
