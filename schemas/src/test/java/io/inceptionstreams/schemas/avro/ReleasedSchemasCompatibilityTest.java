package io.inceptionstreams.schemas.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaParser;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards the contracts' evolution: data written with any released version of a contract must stay
 * readable with the current one (BACKWARD compatibility), or consumers deployed first break on data
 * already in the topics.
 *
 * <p>On release, copy each changed {@code src/main/avro/X.avsc} to {@code
 * src/test/resources/released/X-N.avsc} with the next N; never edit a released file.
 */
class ReleasedSchemasCompatibilityTest {
    private static final Pattern RELEASED_FILE = Pattern.compile("(\\w+)-(\\d+)\\.avsc");

    /** A released contract: the class it lives on as, and its schema at that release. */
    record Released(String contract, int version, Schema schema) {}

    static Stream<Named<Released>> releasedVersions() throws IOException, URISyntaxException {
        Path directory =
                Path.of(ReleasedSchemasCompatibilityTest.class.getResource("/released").toURI());
        List<Named<Released>> released = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                Matcher name = RELEASED_FILE.matcher(file.getFileName().toString());
                assertThat(name.matches()).as("released file name %s", file).isTrue();
                released.add(
                        Named.of(
                                file.getFileName().toString(),
                                new Released(
                                        name.group(1),
                                        Integer.parseInt(name.group(2)),
                                        SchemaParser.parseSingle(file))));
            }
        }
        return released.stream();
    }

    private static Schema current(String contract) throws ClassNotFoundException {
        return SpecificData.get()
                .getSchema(Class.forName(ImageEvent.class.getPackageName() + "." + contract));
    }

    @ParameterizedTest
    @MethodSource("releasedVersions")
    void shouldReadEveryReleasedVersionWithTheCurrentSchema(Released released)
            throws ClassNotFoundException {
        SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(
                        current(released.contract()), released.schema());

        assertThat(compatibility.getType())
                .as("%s v%d: %s", released.contract(), released.version(), compatibility)
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void shouldHaveAReleasedVersionOfEveryContract() throws Exception {
        List<String> releasedContracts =
                releasedVersions().map(named -> named.getPayload().contract()).toList();
        try (Stream<Path> contracts = Files.list(Path.of("src/main/avro"))) {
            assertThat(contracts)
                    .map(path -> path.getFileName().toString().replace(".avsc", ""))
                    .isNotEmpty()
                    .allSatisfy(contract -> assertThat(releasedContracts).contains(contract));
        }
    }

    @Test
    void shouldDetectANewFieldWithoutDefaultAsIncompatible() throws Exception {
        // Given the current ImageEvent with a field added without a default
        Released first =
                releasedVersions()
                        .map(Named::getPayload)
                        .filter(released -> released.contract().equals("ImageEvent"))
                        .findFirst()
                        .orElseThrow();
        Schema current = current("ImageEvent");
        List<Schema.Field> fields = new ArrayList<>();
        current.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        fields.add(new Schema.Field("width", Schema.create(Schema.Type.INT), "Pixels.", null));
        Schema broken =
                Schema.createRecord(
                        current.getName(), current.getDoc(), current.getNamespace(), false, fields);

        // When
        SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(broken, first.schema());

        // Then
        assertThat(compatibility.getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
        assertThat(compatibility.getResult().getIncompatibilities())
                .anySatisfy(
                        incompatibility ->
                                assertThat(incompatibility.getMessage()).isEqualTo("width"));
    }

    @Test
    void shouldDetectAChangedFieldTypeAsIncompatible() throws Exception {
        Schema released =
                SchemaParser.parseSingle(
                        Path.of(getClass().getResource("/released/LabelEvent-1.avsc").toURI()));
        String changed =
                released.toString()
                        .replace(
                                "{\"name\":\"batch_size\",\"type\":\"int\"",
                                "{\"name\":\"batch_size\",\"type\":\"string\"");
        assertThat(changed).isNotEqualTo(released.toString());

        assertThat(
                        SchemaCompatibility.checkReaderWriterCompatibility(
                                        SchemaParser.parseSingle(changed), released)
                                .getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }
}
