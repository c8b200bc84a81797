package io.inceptionstreams.schemas.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded registry answers Confluent's REST API as documented, checked with raw requests and
 * raw JSON, the way curl users and other clients see it.
 */
class EmbeddedSchemaRegistryTest {
    private static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final String V1 =
            "{\"type\":\"record\",\"name\":\"Payment\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    private static final String V2 =
            "{\"type\":\"record\",\"name\":\"Payment\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
                    + "{\"name\":\"amount\",\"type\":\"double\",\"default\":0.0}]}";
    private static final String INCOMPATIBLE =
            "{\"type\":\"record\",\"name\":\"Payment\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
                    + "{\"name\":\"currency\",\"type\":\"string\"}]}";

    private EmbeddedSchemaRegistry registry;

    @BeforeEach
    void start() {
        registry = new EmbeddedSchemaRegistry().start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private HttpResponse<String> send(String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(registry.url() + path))
                        .header("Accept", MEDIA_TYPE);
        if (body != null) {
            request.header("Content-Type", MEDIA_TYPE);
        }
        return HTTP.send(
                request.method(
                                method,
                                body == null
                                        ? BodyPublishers.noBody()
                                        : BodyPublishers.ofString(body))
                        .build(),
                BodyHandlers.ofString());
    }

    private static String schemaBody(String schema) {
        return JSON.createObjectNode().put("schema", schema).toString();
    }

    private JsonNode register(String subject, String schema) throws Exception {
        return json(send("POST", "/subjects/" + subject + "/versions", schemaBody(schema)), 200);
    }

    private static JsonNode json(HttpResponse<String> response, int expectedStatus)
            throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        assertThat(response.headers().firstValue("Content-Type")).contains(MEDIA_TYPE);
        return JSON.readTree(response.body());
    }

    private static void assertError(
            HttpResponse<String> response, int status, int errorCode, String message)
            throws IOException {
        JsonNode body = json(response, status);
        assertThat(body.get("error_code").asInt()).isEqualTo(errorCode);
        assertThat(body.get("message").asText()).contains(message);
        assertThat(body.size()).isEqualTo(2);
    }

    @Test
    void shouldServeOnLoopbackAtTheUrl() {
        assertThat(registry.url()).isEqualTo("http://127.0.0.1:" + registry.port());
        assertThat(registry.port()).isPositive();
    }

    @Test
    void shouldRegisterASchemaAndAnswerItsIdAndGuid() throws Exception {
        JsonNode answer = register("payments-value", V1);

        assertThat(answer.get("id").asInt()).isEqualTo(1);
        assertThat(UUID.fromString(answer.get("guid").asText())).isNotNull();
        assertThat(answer.size()).isEqualTo(2);
    }

    @Test
    void shouldNotAddAVersionWhenTheSameSchemaIsRegisteredAgain() throws Exception {
        register("payments-value", V1);

        assertThat(register("payments-value", V1).get("id").asInt()).isEqualTo(1);
        assertThat(json(send("GET", "/subjects/payments-value/versions", null), 200))
                .isEqualTo(JSON.readTree("[1]"));
    }

    @Test
    void shouldGiveTheSameGlobalIdUnderAnotherSubject() throws Exception {
        register("payments-value", V1);
        register("other-value", V2);

        assertThat(register("archive-value", V1).get("id").asInt()).isEqualTo(1);
    }

    @Test
    void shouldLookUpARegisteredSchema() throws Exception {
        register("payments-value", V1);
        register("payments-value", V2);

        JsonNode found = json(send("POST", "/subjects/payments-value", schemaBody(V2)), 200);

        assertThat(found.get("subject").asText()).isEqualTo("payments-value");
        assertThat(found.get("version").asInt()).isEqualTo(2);
        assertThat(found.get("id").asInt()).isEqualTo(2);
        assertThat(JSON.readTree(found.get("schema").asText())).isEqualTo(JSON.readTree(V2));
    }

    @Test
    void shouldAnswer40401WhenLookingUpUnderAnUnknownSubject() throws Exception {
        assertError(
                send("POST", "/subjects/nope", schemaBody(V1)),
                404,
                40401,
                "Subject 'nope' not found.");
    }

    @Test
    void shouldAnswer40403WhenLookingUpASchemaTheSubjectDoesNotHave() throws Exception {
        register("payments-value", V1);

        assertError(
                send("POST", "/subjects/payments-value", schemaBody(V2)),
                404,
                40403,
                "Schema not found");
    }

    @Test
    void shouldGetASchemaById() throws Exception {
        register("payments-value", V1);

        JsonNode body = json(send("GET", "/schemas/ids/1", null), 200);

        assertThat(body.size()).isEqualTo(2);
        assertThat(JSON.readTree(body.get("schema").asText())).isEqualTo(JSON.readTree(V1));
        assertThat(body.get("guid").asText())
                .isEqualTo(register("payments-value", V1).get("guid").asText());
    }

    @Test
    void shouldAnswer40403ForAnUnknownId() throws Exception {
        assertError(send("GET", "/schemas/ids/42", null), 404, 40403, "Schema 42 not found");
    }

    @Test
    void shouldListSubjectsAndVersions() throws Exception {
        register("payments-value", V1);
        register("payments-value", V2);
        register("orders-value", V1);

        assertThat(json(send("GET", "/subjects", null), 200))
                .isEqualTo(JSON.readTree("[\"orders-value\",\"payments-value\"]"));
        assertThat(json(send("GET", "/subjects/payments-value/versions", null), 200))
                .isEqualTo(JSON.readTree("[1,2]"));
    }

    @Test
    void shouldGetAVersionByNumberAndTheLatest() throws Exception {
        register("payments-value", V1);
        register("payments-value", V2);

        JsonNode first = json(send("GET", "/subjects/payments-value/versions/1", null), 200);
        JsonNode latest = json(send("GET", "/subjects/payments-value/versions/latest", null), 200);
        JsonNode minusOne = json(send("GET", "/subjects/payments-value/versions/-1", null), 200);

        assertThat(first.get("version").asInt()).isEqualTo(1);
        assertThat(first.get("id").asInt()).isEqualTo(1);
        assertThat(first.get("subject").asText()).isEqualTo("payments-value");
        assertThat(JSON.readTree(first.get("schema").asText())).isEqualTo(JSON.readTree(V1));
        assertThat(latest.get("version").asInt()).isEqualTo(2);
        assertThat(JSON.readTree(latest.get("schema").asText())).isEqualTo(JSON.readTree(V2));
        assertThat(minusOne).isEqualTo(latest);
    }

    @Test
    void shouldAnswer40402ForAnUnknownVersion() throws Exception {
        register("payments-value", V1);

        assertError(
                send("GET", "/subjects/payments-value/versions/7", null),
                404,
                40402,
                "Version 7 not found.");
    }

    @Test
    void shouldAnswer42202ForAVersionThatIsNotOne() throws Exception {
        register("payments-value", V1);

        assertError(
                send("GET", "/subjects/payments-value/versions/first", null),
                422,
                42202,
                "'first' is not a valid version");
    }

    @Test
    void shouldAnswer40401ForTheVersionsOfAnUnknownSubject() throws Exception {
        assertError(
                send("GET", "/subjects/nope/versions/latest", null),
                404,
                40401,
                "Subject 'nope' not found.");
    }

    @Test
    void shouldAnswer409ForAnIncompatibleSchema() throws Exception {
        register("payments-value", V1);

        assertError(
                send("POST", "/subjects/payments-value/versions", schemaBody(INCOMPATIBLE)),
                409,
                409,
                "incompatible with an earlier schema for subject 'payments-value'");
    }

    @Test
    void shouldAnswer42201ForAnInvalidSchema() throws Exception {
        assertError(
                send(
                        "POST",
                        "/subjects/payments-value/versions",
                        schemaBody("{\"type\":\"record\",\"name\":\"P\"}")),
                422,
                42201,
                "Invalid schema");
    }

    @Test
    void shouldAnswer42201ForSchemaTypesOtherThanAvro() throws Exception {
        assertError(
                send(
                        "POST",
                        "/subjects/payments-value/versions",
                        "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}"),
                422,
                42201,
                "PROTOBUF");
    }

    @Test
    void shouldAcceptAnExplicitAvroSchemaType() throws Exception {
        JsonNode answer =
                json(
                        send(
                                "POST",
                                "/subjects/payments-value/versions",
                                JSON.createObjectNode()
                                        .put("schemaType", "AVRO")
                                        .put("schema", V1)
                                        .toString()),
                        200);

        assertThat(answer.get("id").asInt()).isEqualTo(1);
    }

    @Test
    void shouldAnswerAnErrorBodyForMalformedJson() throws Exception {
        assertError(
                send("POST", "/subjects/payments-value/versions", "{\"schema\": "),
                400,
                400,
                "Malformed JSON");
    }

    @Test
    void shouldAnswerAnErrorBodyForARequestWithoutSchema() throws Exception {
        assertError(
                send("POST", "/subjects/payments-value/versions", "{\"schama\":\"typo\"}"),
                422,
                42201,
                "no \"schema\"");
    }

    @Test
    void shouldGetAndPutTheGlobalCompatibility() throws Exception {
        assertThat(json(send("GET", "/config", null), 200))
                .isEqualTo(JSON.readTree("{\"compatibilityLevel\":\"BACKWARD\"}"));

        assertThat(json(send("PUT", "/config", "{\"compatibility\":\"FULL\"}"), 200))
                .isEqualTo(JSON.readTree("{\"compatibility\":\"FULL\"}"));

        assertThat(json(send("GET", "/config", null), 200))
                .isEqualTo(JSON.readTree("{\"compatibilityLevel\":\"FULL\"}"));
    }

    @Test
    void shouldAnswer40408ForASubjectWithoutItsOwnCompatibilityUnlessDefaultToGlobal()
            throws Exception {
        register("payments-value", V1);

        assertError(
                send("GET", "/config/payments-value", null),
                404,
                40408,
                "Subject 'payments-value' does not have subject-level compatibility configured");
        assertThat(json(send("GET", "/config/payments-value?defaultToGlobal=true", null), 200))
                .isEqualTo(JSON.readTree("{\"compatibilityLevel\":\"BACKWARD\"}"));
    }

    @Test
    void shouldApplyASubjectCompatibility() throws Exception {
        register("payments-value", V1);

        assertThat(json(send("PUT", "/config/payments-value", "{\"compatibility\":\"NONE\"}"), 200))
                .isEqualTo(JSON.readTree("{\"compatibility\":\"NONE\"}"));

        assertThat(json(send("GET", "/config/payments-value", null), 200))
                .isEqualTo(JSON.readTree("{\"compatibilityLevel\":\"NONE\"}"));
        assertThat(register("payments-value", INCOMPATIBLE).get("id").asInt()).isEqualTo(2);
    }

    @Test
    void shouldAnswer42203ForAnUnknownCompatibilityLevel() throws Exception {
        assertError(
                send("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}"),
                422,
                42203,
                "Invalid compatibility level");
    }

    @Test
    void shouldDeleteASubjectAndKeepItsIds() throws Exception {
        register("payments-value", V1);
        register("payments-value", V2);

        assertThat(json(send("DELETE", "/subjects/payments-value", null), 200))
                .isEqualTo(JSON.readTree("[1,2]"));

        assertThat(json(send("GET", "/subjects", null), 200)).isEmpty();
        assertError(
                send("GET", "/subjects/payments-value/versions", null),
                404,
                40401,
                "Subject 'payments-value' not found.");
        assertThat(json(send("GET", "/schemas/ids/2", null), 200).has("schema")).isTrue();
    }

    @Test
    void shouldAnswer40401WhenDeletingAnUnknownSubject() throws Exception {
        assertError(
                send("DELETE", "/subjects/nope", null), 404, 40401, "Subject 'nope' not found.");
    }

    // Deletes: soft first, then permanent, as Confluent orders them

    @Test
    void shouldSoftDeleteAVersionAndAnswerItsNumber() throws Exception {
        register("payments-value", V1);
        register("payments-value", V2);

        assertThat(json(send("DELETE", "/subjects/payments-value/versions/2", null), 200))
                .isEqualTo(JSON.readTree("2"));

        assertThat(json(send("GET", "/subjects/payments-value/versions", null), 200))
                .isEqualTo(JSON.readTree("[1]"));
        assertThat(
                        json(send("GET", "/subjects/payments-value/versions/latest", null), 200)
                                .get("version")
                                .asInt())
                .isEqualTo(1);
        assertError(
                send("GET", "/subjects/payments-value/versions/2", null),
                404,
                40402,
                "Version 2 not found.");
        assertThat(json(send("GET", "/schemas/ids/2", null), 200).has("schema")).isTrue();
    }

    @Test
    void shouldSoftDeleteTheLatestVersion() throws Exception {
        register("payments-value", V1);
        register("payments-value", V2);

        assertThat(json(send("DELETE", "/subjects/payments-value/versions/latest", null), 200))
                .isEqualTo(JSON.readTree("2"));
    }

    @Test
    void shouldAnswer40406WhenSoftDeletingAVersionTwice() throws Exception {
        register("payments-value", V1);
        register("payments-value", V2);
        send("DELETE", "/subjects/payments-value/versions/1", null);

        assertError(
                send("DELETE", "/subjects/payments-value/versions/1", null),
                404,
                40406,
                "already soft-deleted");
    }

    @Test
    void shouldAnswer40407WhenPermanentlyDeletingALiveVersion() throws Exception {
        register("payments-value", V1);

        assertError(
                send("DELETE", "/subjects/payments-value/versions/1?permanent=true", null),
                404,
                40407,
                "must be soft-deleted");
        assertThat(json(send("GET", "/subjects/payments-value/versions", null), 200))
                .isEqualTo(JSON.readTree("[1]"));
    }

    @Test
    void shouldPermanentlyDeleteASoftDeletedVersionAndForgetItsId() throws Exception {
        register("payments-value", V1);
        register("payments-value", V2);
        send("DELETE", "/subjects/payments-value/versions/2", null);

        assertThat(
                        json(
                                send(
                                        "DELETE",
                                        "/subjects/payments-value/versions/2?permanent=true",
                                        null),
                                200))
                .isEqualTo(JSON.readTree("2"));

        assertError(send("GET", "/schemas/ids/2", null), 404, 40403, "Schema 2 not found");
        assertError(
                send("DELETE", "/subjects/payments-value/versions/2?permanent=true", null),
                404,
                40402,
                "Version 2 not found.");
    }

    @Test
    void shouldAnswer40402And42202WhenDeletingAMissingOrInvalidVersion() throws Exception {
        register("payments-value", V1);

        assertError(
                send("DELETE", "/subjects/payments-value/versions/9", null),
                404,
                40402,
                "Version 9 not found.");
        assertError(
                send("DELETE", "/subjects/payments-value/versions/zero", null),
                422,
                42202,
                "'zero' is not a valid version");
        assertError(
                send("DELETE", "/subjects/nope/versions/1", null),
                404,
                40401,
                "Subject 'nope' not found.");
    }

    @Test
    void shouldAnswer40405WhenPermanentlyDeletingASubjectNotSoftDeleted() throws Exception {
        register("payments-value", V1);

        assertError(
                send("DELETE", "/subjects/payments-value?permanent=true", null),
                404,
                40405,
                "must be soft-deleted");
        assertThat(json(send("GET", "/subjects", null), 200))
                .isEqualTo(JSON.readTree("[\"payments-value\"]"));
    }

    @Test
    void shouldAnswer40404WhenSoftDeletingASubjectTwice() throws Exception {
        register("payments-value", V1);
        send("DELETE", "/subjects/payments-value", null);

        assertError(
                send("DELETE", "/subjects/payments-value", null),
                404,
                40404,
                "already soft-deleted");
    }

    @Test
    void shouldPermanentlyDeleteASoftDeletedSubjectAndAnswerItsVersions() throws Exception {
        // Given a subject with a version already soft-deleted, then the whole subject
        register("payments-value", V1);
        register("payments-value", V2);
        send("DELETE", "/subjects/payments-value/versions/1", null);
        assertThat(json(send("DELETE", "/subjects/payments-value", null), 200))
                .isEqualTo(JSON.readTree("[2]"));

        // When
        JsonNode deleted =
                json(send("DELETE", "/subjects/payments-value?permanent=true", null), 200);

        // Then every version is gone, with the ids nothing else uses
        assertThat(deleted).isEqualTo(JSON.readTree("[1,2]"));
        assertError(
                send("DELETE", "/subjects/payments-value?permanent=true", null),
                404,
                40401,
                "Subject 'payments-value' not found.");
        assertError(send("GET", "/schemas/ids/1", null), 404, 40403, "Schema 1 not found");
        assertThat(register("payments-value", V1).get("id").asInt()).isEqualTo(3);
        assertThat(json(send("GET", "/subjects/payments-value/versions", null), 200))
                .isEqualTo(JSON.readTree("[1]"));
    }

    @Test
    void shouldKeepAnIdAnotherSubjectStillUsesAfterAPermanentDelete() throws Exception {
        register("payments-value", V1);
        register("archive-value", V1);
        send("DELETE", "/subjects/payments-value", null);
        send("DELETE", "/subjects/payments-value?permanent=true", null);

        assertThat(json(send("GET", "/schemas/ids/1", null), 200).has("schema")).isTrue();
    }

    // Compatibility tests

    @Test
    void shouldTestCompatibilityWithTheLatestVersion() throws Exception {
        register("payments-value", V1);

        assertThat(
                        json(
                                send(
                                        "POST",
                                        "/compatibility/subjects/payments-value/versions/latest",
                                        schemaBody(V2)),
                                200))
                .isEqualTo(JSON.readTree("{\"is_compatible\":true}"));
        assertThat(
                        json(
                                send(
                                        "POST",
                                        "/compatibility/subjects/payments-value/versions/1",
                                        schemaBody(INCOMPATIBLE)),
                                200))
                .isEqualTo(JSON.readTree("{\"is_compatible\":false}"));
    }

    @Test
    void shouldGiveTheReasonsOfAnIncompatibilityWhenVerbose() throws Exception {
        register("payments-value", V1);

        JsonNode verdict =
                json(
                        send(
                                "POST",
                                "/compatibility/subjects/payments-value/versions/latest?verbose=true",
                                schemaBody(INCOMPATIBLE)),
                        200);

        assertThat(verdict.get("is_compatible").asBoolean()).isFalse();
        assertThat(verdict.get("messages")).hasSize(1);
        assertThat(verdict.get("messages").get(0).asText())
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
                .contains("currency");
    }

    @Test
    void shouldAnswerAnEmptyMessageListWhenVerboseAndCompatible() throws Exception {
        register("payments-value", V1);

        assertThat(
                        json(
                                send(
                                        "POST",
                                        "/compatibility/subjects/payments-value/versions/1?verbose=true",
                                        schemaBody(V2)),
                                200))
                .isEqualTo(JSON.readTree("{\"is_compatible\":true,\"messages\":[]}"));
    }

    @Test
    void shouldApplyTheSubjectLevelWhenTestingCompatibility() throws Exception {
        register("payments-value", V1);
        send("PUT", "/config/payments-value", "{\"compatibility\":\"NONE\"}");

        assertThat(
                        json(
                                        send(
                                                "POST",
                                                "/compatibility/subjects/payments-value/versions/latest",
                                                schemaBody(INCOMPATIBLE)),
                                        200)
                                .get("is_compatible")
                                .asBoolean())
                .isTrue();
    }

    @Test
    void shouldAnswerErrorsWhenTestingCompatibilityWithAMissingSubjectOrVersion() throws Exception {
        register("payments-value", V1);

        assertError(
                send("POST", "/compatibility/subjects/nope/versions/latest", schemaBody(V1)),
                404,
                40401,
                "Subject 'nope' not found.");
        assertError(
                send("POST", "/compatibility/subjects/payments-value/versions/3", schemaBody(V1)),
                404,
                40402,
                "Version 3 not found.");
        assertError(
                send("POST", "/compatibility/subjects/payments-value/versions/x", schemaBody(V1)),
                422,
                42202,
                "'x' is not a valid version");
        assertError(
                send(
                        "POST",
                        "/compatibility/subjects/payments-value/versions/1",
                        schemaBody("{\"type\":\"recrod\"}")),
                422,
                42201,
                "Invalid schema");
    }

    @Test
    void shouldTestCompatibilityWithEveryVersionTheLevelNames() throws Exception {
        assertThat(
                        json(
                                send(
                                        "POST",
                                        "/compatibility/subjects/new-value/versions",
                                        schemaBody(V1)),
                                200))
                .isEqualTo(JSON.readTree("{\"is_compatible\":true}"));
        register("payments-value", V1);
        assertThat(
                        json(
                                send(
                                        "POST",
                                        "/compatibility/subjects/payments-value/versions",
                                        schemaBody(INCOMPATIBLE)),
                                200))
                .isEqualTo(JSON.readTree("{\"is_compatible\":false}"));
    }

    // Schemas by id and by GUID

    @Test
    void shouldListTheSubjectsAndVersionsOfASchemaId() throws Exception {
        register("payments-value", V1);
        register("archive-value", V2);
        register("archive-value", V1);

        assertThat(json(send("GET", "/schemas/ids/1/subjects", null), 200))
                .isEqualTo(JSON.readTree("[\"archive-value\",\"payments-value\"]"));
        assertThat(json(send("GET", "/schemas/ids/1/versions", null), 200))
                .isEqualTo(
                        JSON.readTree(
                                "[{\"subject\":\"archive-value\",\"version\":2},"
                                        + "{\"subject\":\"payments-value\",\"version\":1}]"));
    }

    @Test
    void shouldLeaveSoftDeletedVersionsOutOfTheSubjectsOfAnId() throws Exception {
        register("payments-value", V1);
        register("archive-value", V1);
        send("DELETE", "/subjects/archive-value", null);

        assertThat(json(send("GET", "/schemas/ids/1/subjects", null), 200))
                .isEqualTo(JSON.readTree("[\"payments-value\"]"));
    }

    @Test
    void shouldAnswer40403ForTheSubjectsAndVersionsOfAnUnknownId() throws Exception {
        assertError(send("GET", "/schemas/ids/5/subjects", null), 404, 40403, "Schema 5 not found");
        assertError(send("GET", "/schemas/ids/5/versions", null), 404, 40403, "Schema 5 not found");
    }

    @Test
    void shouldListAvroAsTheOnlySchemaType() throws Exception {
        assertThat(json(send("GET", "/schemas/types", null), 200))
                .isEqualTo(JSON.readTree("[\"AVRO\"]"));
    }

    @Test
    void shouldGetASchemaByItsGuid() throws Exception {
        String guid = register("payments-value", V1).get("guid").asText();

        JsonNode body = json(send("GET", "/schemas/guids/" + guid, null), 200);

        assertThat(JSON.readTree(body.get("schema").asText())).isEqualTo(JSON.readTree(V1));
        assertThat(body.get("guid").asText()).isEqualTo(guid);
    }

    @Test
    void shouldAnswer40403ForAnUnknownOrMalformedGuid() throws Exception {
        String unknown = UUID.randomUUID().toString();

        assertError(
                send("GET", "/schemas/guids/" + unknown, null),
                404,
                40403,
                "Schema with GUID " + unknown + " not found");
        assertError(
                send("GET", "/schemas/guids/not-a-guid", null),
                404,
                40403,
                "Schema with GUID not-a-guid not found");
    }

    @Test
    void shouldGiveEachSchemaItsOwnGuidAndCarryItInVersionAnswers() throws Exception {
        String first = register("payments-value", V1).get("guid").asText();
        String second = register("payments-value", V2).get("guid").asText();

        assertThat(first).isNotEqualTo(second);
        assertThat(
                        json(send("GET", "/subjects/payments-value/versions/2", null), 200)
                                .get("guid")
                                .asText())
                .isEqualTo(second);
        assertThat(
                        json(send("POST", "/subjects/payments-value", schemaBody(V1)), 200)
                                .get("guid")
                                .asText())
                .isEqualTo(first);
    }

    // Subject configuration

    @Test
    void shouldDeleteASubjectLevelAndAnswerThePreviousOne() throws Exception {
        register("payments-value", V1);
        send("PUT", "/config/payments-value", "{\"compatibility\":\"FULL\"}");

        assertThat(json(send("DELETE", "/config/payments-value", null), 200))
                .isEqualTo(JSON.readTree("{\"compatibilityLevel\":\"FULL\"}"));

        assertError(send("GET", "/config/payments-value", null), 404, 40408, "payments-value");
    }

    @Test
    void shouldAnswerTheGlobalLevelWhenDeletingASubjectLevelNeverSet() throws Exception {
        register("payments-value", V1);

        assertThat(json(send("DELETE", "/config/payments-value", null), 200))
                .isEqualTo(JSON.readTree("{\"compatibilityLevel\":\"BACKWARD\"}"));
        assertError(send("DELETE", "/config/nope", null), 404, 40401, "Subject 'nope' not found.");
    }

    @Test
    void shouldDecodeSubjectsInPaths() throws Exception {
        register("team%2Fpayments%20v%2B1", V1);

        assertThat(json(send("GET", "/subjects", null), 200))
                .isEqualTo(JSON.readTree("[\"team/payments v+1\"]"));
        assertThat(json(send("GET", "/subjects/team%2Fpayments%20v%2B1/versions", null), 200))
                .isEqualTo(JSON.readTree("[1]"));
    }

    @Test
    void shouldAnswer404ForAnUnknownPath() throws Exception {
        assertError(send("GET", "/nowhere", null), 404, 404, "Not Found");
    }

    @Test
    void shouldAnswer405ForAMethodThePathDoesNotSupport() throws Exception {
        HttpResponse<String> response = send("DELETE", "/schemas/ids/1", null);

        assertError(response, 405, 405, "Method Not Allowed");
        assertThat(response.headers().firstValue("Allow")).contains("GET");
    }

    @Test
    void shouldStopServingWhenClosed() {
        String url = registry.url();
        registry.close();

        assertThatThrownBy(
                        () ->
                                HTTP.send(
                                        HttpRequest.newBuilder(URI.create(url + "/subjects"))
                                                .build(),
                                        BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
    }
}
