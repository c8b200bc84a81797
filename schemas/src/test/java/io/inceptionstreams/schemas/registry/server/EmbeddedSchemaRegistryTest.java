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
    void shouldRegisterASchemaAndAnswerItsId() throws Exception {
        assertThat(register("payments-value", V1)).isEqualTo(JSON.readTree("{\"id\":1}"));
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

        assertThat(body.size()).isEqualTo(1);
        assertThat(JSON.readTree(body.get("schema").asText())).isEqualTo(JSON.readTree(V1));
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
