package io.inceptionstreams.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchemaStoreTest {
    private static final Schema V1 = record("{\"name\":\"a\",\"type\":\"int\"}");

    /** A field added with a default: readable both ways. */
    private static final Schema ADDED_WITH_DEFAULT =
            record(
                    "{\"name\":\"a\",\"type\":\"int\"}",
                    "{\"name\":\"b\",\"type\":\"string\",\"default\":\"\"}");

    /** A field added without default: new readers cannot read old data. */
    private static final Schema ADDED_WITHOUT_DEFAULT =
            record("{\"name\":\"a\",\"type\":\"int\"}", "{\"name\":\"b\",\"type\":\"string\"}");

    /** A field without default removed: old readers cannot read new data. */
    private static final Schema REMOVED =
            record("{\"name\":\"c\",\"type\":\"long\",\"default\":0}");

    private final SchemaStore store = new SchemaStore();

    private static Schema record(String... fields) {
        return SchemaStore.parse(
                "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                        + String.join(",", fields)
                        + "]}");
    }

    @Test
    void shouldNumberIdsAndVersionsFromOne() {
        RegisteredSchema registered = store.register("s", V1);

        assertThat(registered).isEqualTo(new RegisteredSchema("s", 1, 1, V1));
    }

    @Test
    void shouldKeepOneVersionForTheSameSchemaEvenFormattedDifferently() {
        store.register("s", V1);

        RegisteredSchema again =
                store.register(
                        "s",
                        SchemaStore.parse(
                                "{ \"type\" : \"record\", \"name\" : \"R\",\n"
                                        + "  \"fields\" : [ { \"name\" : \"a\", \"type\" :"
                                        + " \"int\" } ] }"));

        assertThat(again.version()).isEqualTo(1);
        assertThat(store.versions("s")).containsExactly(1);
    }

    @Test
    void shouldGiveASchemaTheSameIdInEverySubject() {
        int first = store.register("s", V1).id();
        store.register("t", ADDED_WITH_DEFAULT);

        RegisteredSchema elsewhere = store.register("u", V1);

        assertThat(elsewhere.id()).isEqualTo(first);
        assertThat(elsewhere.version()).isEqualTo(1);
    }

    @Test
    void shouldKeepIdsAndVersionNumbersAcrossDeletion() {
        int id = store.register("s", V1).id();
        store.register("s", ADDED_WITH_DEFAULT);

        assertThat(store.deleteSubject("s")).containsExactly(1, 2);

        assertThat(store.subjects()).isEmpty();
        assertThat(store.schemaById(id)).isEqualTo(V1);
        assertThat(store.register("s", V1)).isEqualTo(new RegisteredSchema("s", 3, id, V1));
    }

    @Test
    void shouldCheckANewVersionOnlyAgainstLiveVersions() {
        // Given the only version a new one could not follow, soft-deleted
        store.register("s", V1);
        store.deleteVersion("s", 1, false);

        RegisteredSchema next = store.register("s", ADDED_WITHOUT_DEFAULT);

        assertThat(next.version()).isEqualTo(2);
        assertThat(store.versions("s")).containsExactly(2);
    }

    @Test
    void shouldRegisterASoftDeletedSchemaAgainAsANewVersion() {
        store.register("s", V1);
        store.deleteVersion("s", SchemaStore.LATEST, false);

        assertThat(store.register("s", V1)).isEqualTo(new RegisteredSchema("s", 2, 1, V1));
    }

    @Test
    void shouldStartASubjectOverAfterAPermanentDeleteAndNeverReuseAnId() {
        store.register("s", V1);
        store.deleteSubject("s", false);
        store.deleteSubject("s", true);

        RegisteredSchema again = store.register("s", ADDED_WITH_DEFAULT);

        assertThat(again.version()).isEqualTo(1);
        assertThat(again.id()).isEqualTo(2);
        assertThatThrownBy(() -> store.schemaById(1))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(40403));
    }

    @Test
    void shouldGiveTheSameSchemaTheSameGuidInEveryStore() {
        int id = store.register("s", V1).id();
        SchemaStore other = new SchemaStore();
        other.register("t", ADDED_WITH_DEFAULT);

        int elsewhere = other.register("u", V1).id();

        assertThat(other.guidById(elsewhere)).isEqualTo(store.guidById(id));
        assertThat(store.schemaByGuid(store.guidById(id))).isEqualTo(V1);
    }

    @Test
    void shouldTestCompatibilityAgainstOneVersionWithoutRegistering() {
        store.register("s", V1);
        store.setSubjectCompatibility("s", CompatibilityLevel.NONE);
        store.register("s", ADDED_WITHOUT_DEFAULT);
        store.setSubjectCompatibility("s", CompatibilityLevel.BACKWARD);

        assertThat(store.incompatibilities("s", 2, ADDED_WITHOUT_DEFAULT)).isEmpty();
        assertThat(store.incompatibilities("s", 1, ADDED_WITHOUT_DEFAULT))
                .singleElement()
                .asString()
                .contains("new schema cannot read earlier data");
        assertThat(store.versions("s")).containsExactly(1, 2);
    }

    @Test
    void shouldRejectInvalidSchemasWithError42201() {
        assertThatThrownBy(() -> SchemaStore.parse("{\"type\":\"recrod\"}"))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> {
                            assertThat(e.errorCode()).isEqualTo(42201);
                            assertThat(e.httpStatus()).isEqualTo(422);
                        });
    }

    @ParameterizedTest(name = "{0}: {1} after V1 accepted = {2}")
    @CsvSource({
        "NONE, ADDED_WITHOUT_DEFAULT, true",
        "NONE, REMOVED, true",
        "BACKWARD, ADDED_WITH_DEFAULT, true",
        "BACKWARD, ADDED_WITHOUT_DEFAULT, false",
        "BACKWARD, REMOVED, true",
        "FORWARD, ADDED_WITH_DEFAULT, true",
        "FORWARD, ADDED_WITHOUT_DEFAULT, true",
        "FORWARD, REMOVED, false",
        "FULL, ADDED_WITH_DEFAULT, true",
        "FULL, ADDED_WITHOUT_DEFAULT, false",
        "FULL, REMOVED, false",
    })
    void shouldCheckANewVersionAgainstTheLatestAtTheSubjectLevel(
            CompatibilityLevel level, String change, boolean accepted) throws Exception {
        // Given
        store.setSubjectCompatibility("s", level);
        store.register("s", V1);
        Schema next = (Schema) SchemaStoreTest.class.getDeclaredField(change).get(null);

        // When / Then
        if (accepted) {
            assertThat(store.register("s", next).version()).isEqualTo(2);
        } else {
            assertThatThrownBy(() -> store.register("s", next))
                    .isInstanceOfSatisfying(
                            SchemaRegistryException.class,
                            e -> {
                                assertThat(e.httpStatus()).isEqualTo(409);
                                assertThat(e.errorCode()).isEqualTo(409);
                            })
                    .hasMessageContaining("subject 's'")
                    .hasMessageContaining(level.name());
        }
    }

    @Test
    void shouldCheckEveryEarlierVersionWhenBackwardTransitive() {
        // Given "a" removed, then re-added as a string: the latest-only check passes
        Schema withoutA = record();
        Schema aAsString = record("{\"name\":\"a\",\"type\":\"string\",\"default\":\"\"}");
        store.register("lenient", V1);
        store.register("lenient", withoutA);
        store.setSubjectCompatibility("strict", CompatibilityLevel.BACKWARD_TRANSITIVE);
        store.register("strict", V1);
        store.register("strict", withoutA);

        assertThat(store.register("lenient", aAsString).version()).isEqualTo(3);
        assertThatThrownBy(() -> store.register("strict", aAsString))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("new schema cannot read earlier data");
    }

    @Test
    void shouldCheckEveryEarlierVersionWhenForwardTransitive() {
        // Given "a" given a default, then removed: V1 readers cannot read the last version
        Schema aWithDefault =
                record(
                        "{\"name\":\"a\",\"type\":\"int\",\"default\":0}",
                        "{\"name\":\"b\",\"type\":\"int\"}");
        Schema onlyB = record("{\"name\":\"b\",\"type\":\"int\"}");
        store.setSubjectCompatibility("lenient", CompatibilityLevel.FORWARD);
        store.setSubjectCompatibility("strict", CompatibilityLevel.FORWARD_TRANSITIVE);
        for (String subject : new String[] {"lenient", "strict"}) {
            store.register(subject, V1);
            store.register(subject, aWithDefault);
        }

        assertThat(store.register("lenient", onlyB).version()).isEqualTo(3);
        assertThatThrownBy(() -> store.register("strict", onlyB))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("earlier schema cannot read new data");
    }

    @Test
    void shouldFollowTheGlobalLevelWhenTheSubjectHasNone() {
        store.register("s", V1);
        store.setGlobalCompatibility(CompatibilityLevel.NONE);

        assertThat(store.register("s", ADDED_WITHOUT_DEFAULT).version()).isEqualTo(2);
        assertThat(store.subjectCompatibility("s")).isEmpty();
    }

    @Test
    void shouldDefaultToBackward() {
        assertThat(store.globalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
    }
}
