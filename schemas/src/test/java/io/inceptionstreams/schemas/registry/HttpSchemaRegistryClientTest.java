package io.inceptionstreams.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.inceptionstreams.schemas.registry.ScriptedHttpServer.Reply;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpSchemaRegistryClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema SCHEMA =
            SchemaBuilder.record("Ping").fields().requiredString("id").endRecord();
    private static final String SCHEMA_ANSWER =
            JSON.createObjectNode().put("schema", SCHEMA.toString()).toString();
    private static final String LATEST_ANSWER =
            JSON.createObjectNode()
                    .put("subject", "pings-value")
                    .put("version", 3)
                    .put("id", 7)
                    .put("schema", SCHEMA.toString())
                    .toString();

    private final ScriptedHttpServer server = new ScriptedHttpServer();

    @AfterEach
    void stopServer() {
        server.close();
    }

    private HttpSchemaRegistryClient client(Object... keysAndValues) {
        Map<String, Object> config = new HashMap<>();
        config.put(SchemaRegistryClientConfig.URL, server.url());
        config.put(SchemaRegistryClientConfig.RETRY_BACKOFF_MS, 1);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            config.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new HttpSchemaRegistryClient(config);
    }

    @Test
    void shouldMakeNoHttpCallOnceWarm() {
        // Given
        server.then(Reply.json(200, "{\"id\":7}"));
        HttpSchemaRegistryClient client = client();

        // When
        int first = client.register("pings-value", SCHEMA);
        int second = client.register("pings-value", SCHEMA);
        int looked = client.getId("pings-value", SCHEMA);
        Schema byId = client.getSchemaById(7);

        // Then
        assertThat(first).isEqualTo(7);
        assertThat(second).isEqualTo(7);
        assertThat(looked).isEqualTo(7);
        assertThat(byId).isEqualTo(SCHEMA);
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void shouldFetchASchemaByIdOnce() {
        server.then(Reply.json(200, SCHEMA_ANSWER));
        HttpSchemaRegistryClient client = client();

        assertThat(client.getSchemaById(8)).isEqualTo(SCHEMA);
        assertThat(client.getSchemaById(8)).isEqualTo(SCHEMA);

        assertThat(server.received())
                .singleElement()
                .satisfies(
                        request -> {
                            assertThat(request.method()).isEqualTo("GET");
                            assertThat(request.rawPath()).isEqualTo("/schemas/ids/8");
                        });
    }

    @Test
    void shouldFetchASchemaByGuidOnce() {
        UUID guid = UUID.fromString("0b7e2a8e-4d6c-4f7e-9c1a-3f0d2b5e6a71");
        server.then(Reply.json(200, SCHEMA_ANSWER));
        HttpSchemaRegistryClient client = client();

        assertThat(client.getSchemaByGuid(guid)).isEqualTo(SCHEMA);
        assertThat(client.getSchemaByGuid(guid)).isEqualTo(SCHEMA);

        assertThat(server.received())
                .singleElement()
                .satisfies(
                        request ->
                                assertThat(request.rawPath()).isEqualTo("/schemas/guids/" + guid));
    }

    @Test
    void shouldKnowTheGuidOfARegisteredSchemaFromTheRegistrationAnswer() {
        UUID guid = UUID.randomUUID();
        server.then(Reply.json(200, "{\"id\":7,\"guid\":\"" + guid + "\"}"));
        HttpSchemaRegistryClient client = client();

        int id = client.register("pings-value", SCHEMA);

        assertThat(client.getGuidById(id)).isEqualTo(guid);
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void shouldFetchTheGuidOfAnIdByTheSchemaById() {
        UUID guid = UUID.randomUUID();
        server.then(
                Reply.json(
                        200,
                        JSON.createObjectNode()
                                .put("schema", SCHEMA.toString())
                                .put("guid", guid.toString())
                                .toString()));

        assertThat(client().getGuidById(3)).isEqualTo(guid);
        assertThat(server.received().get(0).rawPath()).isEqualTo("/schemas/ids/3");
    }

    @Test
    void shouldSayWhenTheRegistryGivesNoGuids() {
        server.then(Reply.json(200, SCHEMA_ANSWER));

        assertThatThrownBy(() -> client().getGuidById(3))
                .hasMessageContaining("Fetching the GUID of schema id 3 failed")
                .hasMessageContaining("gives no schema GUIDs");
    }

    @Test
    void shouldTestCompatibilityVerboselyAndReadTheVerdict() throws IOException {
        server.then(
                Reply.json(
                        200, "{\"is_compatible\":false,\"messages\":[\"field b\",\"field c\"]}"));

        CompatibilityResult result =
                client().testCompatibility(
                                "pings value", SchemaRegistryClient.LATEST_VERSION, SCHEMA);

        assertThat(result).isEqualTo(new CompatibilityResult(false, List.of("field b", "field c")));
        ScriptedHttpServer.ReceivedRequest request = server.received().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.rawPath())
                .isEqualTo("/compatibility/subjects/pings%20value/versions/latest");
        assertThat(JSON.readTree(request.body()).get("schema").asText())
                .isEqualTo(SCHEMA.toString());
    }

    @Test
    void shouldReadAVerdictWithoutMessages() {
        server.then(Reply.json(200, "{\"is_compatible\":true}"));

        assertThat(client().testCompatibility("pings-value", "2", SCHEMA))
                .isEqualTo(new CompatibilityResult(true, List.of()));
    }

    @Test
    void shouldPostTheSchemaAsRegistryJsonUnderTheEncodedSubject() throws IOException {
        server.then(Reply.json(200, "{\"id\":1}"));

        client().register("pings value/v+1", SCHEMA);

        ScriptedHttpServer.ReceivedRequest request = server.received().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.rawPath()).isEqualTo("/subjects/pings%20value%2Fv%2B1/versions");
        assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(JSON.readTree(request.body()).get("schema").asText())
                .isEqualTo(SCHEMA.toString());
    }

    @Test
    void shouldLookUpWithPostToTheSubject() {
        server.then(Reply.json(200, LATEST_ANSWER));

        assertThat(client().getId("pings-value", SCHEMA)).isEqualTo(7);

        assertThat(server.received().get(0).rawPath()).isEqualTo("/subjects/pings-value");
    }

    @Test
    void shouldListTheSubjectsWithGet() {
        server.then(Reply.json(200, "[\"pings-value\",\"pongs-value\"]"));

        assertThat(client().subjects()).containsExactly("pings-value", "pongs-value");

        assertThat(server.received().get(0).method()).isEqualTo("GET");
        assertThat(server.received().get(0).rawPath()).isEqualTo("/subjects");
    }

    @Test
    void shouldRejectASubjectListThatIsNotAnArray() {
        server.then(Reply.json(200, "{\"subjects\":[]}"));

        assertThatThrownBy(() -> client().subjects())
                .hasMessageContaining("Listing the subjects failed: expected a JSON array");
    }

    @Test
    void shouldCacheTheLatestVersionForeverByDefault() {
        server.then(Reply.json(200, LATEST_ANSWER));
        HttpSchemaRegistryClient client = client();

        RegisteredSchema first = client.getLatestVersion("pings-value");
        RegisteredSchema second = client.getLatestVersion("pings-value");

        assertThat(first).isEqualTo(new RegisteredSchema("pings-value", 3, 7, SCHEMA));
        assertThat(second).isEqualTo(first);
        assertThat(server.received()).hasSize(1);
        assertThat(server.received().get(0).rawPath())
                .isEqualTo("/subjects/pings-value/versions/latest");
    }

    @Test
    void shouldNotCacheTheLatestVersionWithZeroTtl() {
        server.then(Reply.json(200, LATEST_ANSWER)).then(Reply.json(200, LATEST_ANSWER));
        HttpSchemaRegistryClient client =
                client(SchemaRegistryClientConfig.LATEST_CACHE_TTL_SEC, 0);

        client.getLatestVersion("pings-value");
        client.getLatestVersion("pings-value");

        assertThat(server.received()).hasSize(2);
    }

    @Test
    void shouldRetryServerErrorsAndThenSucceed() {
        // Given two failures before the answer
        server.then(Reply.json(503, "{\"error_code\":50003,\"message\":\"forwarding\"}"))
                .then(Reply.json(500, "{\"error_code\":50001,\"message\":\"store\"}"))
                .then(Reply.json(200, SCHEMA_ANSWER));

        // When
        Schema schema = client().getSchemaById(4);

        // Then
        assertThat(schema).isEqualTo(SCHEMA);
        assertThat(server.received()).hasSize(3);
    }

    @Test
    void shouldRetryTooManyRequestsAndRequestTimeoutsAndThenSucceed() {
        server.then(Reply.json(429, "{\"error_code\":42901,\"message\":\"Rate limit\"}"))
                .then(Reply.json(408, "{\"error_code\":408,\"message\":\"Request Timeout\"}"))
                .then(Reply.json(200, SCHEMA_ANSWER));

        assertThat(client().getSchemaById(4)).isEqualTo(SCHEMA);
        assertThat(server.received()).hasSize(3);
    }

    @Test
    void shouldSignalPersistentRateLimitingAsUnavailable() {
        server.then(Reply.json(429, "{\"error_code\":42901,\"message\":\"Rate limit\"}"));

        assertThatThrownBy(() -> client(SchemaRegistryClientConfig.MAX_RETRIES, 0).getSchemaById(4))
                .isInstanceOfSatisfying(
                        SchemaRegistryUnavailableException.class,
                        e -> {
                            assertThat(e.answered()).isTrue();
                            assertThat(e.httpStatus()).isEqualTo(429);
                        });
    }

    @Test
    void shouldSignalAnUnknownIdAsPermanent() {
        server.then(Reply.json(404, "{\"error_code\":40403,\"message\":\"Schema 4 not found\"}"));

        assertThatThrownBy(() -> client().getSchemaById(4))
                .isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(SchemaRegistryUnavailableException.class)
                .satisfies(
                        e -> assertThat(SchemaRegistryUnavailableException.isCauseOf(e)).isFalse());
    }

    @Test
    void shouldSignalAnUnreachableRegistryAsUnavailableWithoutAnswer() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        assertThatThrownBy(
                        () ->
                                client(
                                                SchemaRegistryClientConfig.URL,
                                                "http://127.0.0.1:" + closedPort,
                                                SchemaRegistryClientConfig.MAX_RETRIES,
                                                0)
                                        .getSchemaById(1))
                .isInstanceOfSatisfying(
                        SchemaRegistryUnavailableException.class,
                        e -> {
                            assertThat(e.answered()).isFalse();
                            assertThat(e.httpStatus())
                                    .isEqualTo(SchemaRegistryUnavailableException.NO_ANSWER);
                        })
                .hasMessageContaining("no answer from the schema registry");
    }

    @Test
    void shouldFindTheUnavailableCauseInAWrappingException() {
        SchemaRegistryUnavailableException cause =
                new SchemaRegistryUnavailableException("down", 503, 50003, null);

        assertThat(
                        SchemaRegistryUnavailableException.isCauseOf(
                                new RuntimeException("wrapped", cause)))
                .isTrue();
        assertThat(SchemaRegistryUnavailableException.isCauseOf(new RuntimeException("other")))
                .isFalse();
    }

    @Test
    void shouldGiveUpOnServerErrorsAfterTheConfiguredRetries() {
        for (int i = 0; i < 4; i++) {
            server.then(Reply.json(503, "{\"error_code\":50003,\"message\":\"leader gone\"}"));
        }
        HttpSchemaRegistryClient client = client(SchemaRegistryClientConfig.MAX_RETRIES, 2);

        assertThatThrownBy(() -> client.getSchemaById(4))
                .isInstanceOfSatisfying(
                        SchemaRegistryUnavailableException.class,
                        e -> {
                            assertThat(e.httpStatus()).isEqualTo(503);
                            assertThat(e.errorCode()).isEqualTo(50003);
                        })
                .hasMessageContaining("Fetching schema id 4 (3 attempts")
                .hasMessageContaining("error_code 50003): leader gone");
        assertThat(server.received()).hasSize(3);
    }

    @Test
    void shouldFailAtOnceWithoutARequestWhileTheRegistryWasJustUnavailable() throws Exception {
        // Given a registry that failed every retry of a call, and a cool-down of 2 s
        for (int i = 0; i < 2; i++) {
            server.then(Reply.json(503, "{\"error_code\":50003,\"message\":\"leader gone\"}"));
        }
        HttpSchemaRegistryClient client =
                client(
                        SchemaRegistryClientConfig.MAX_RETRIES,
                        1,
                        SchemaRegistryClientConfig.UNAVAILABLE_COOLDOWN_MS,
                        2000);
        assertThatThrownBy(() -> client.getSchemaById(4))
                .isInstanceOf(SchemaRegistryUnavailableException.class);
        assertThat(server.received()).hasSize(2);

        // When another call comes within the cool-down, then it fails at once, transiently,
        // without a request
        assertThatThrownBy(() -> client.getSchemaById(5))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("not attempted");
        assertThat(server.received()).hasSize(2);

        // When the cool-down is over, then the registry is asked again
        Thread.sleep(2100);
        server.then(Reply.json(200, SCHEMA_ANSWER));
        assertThat(client.getSchemaById(5)).isEqualTo(SCHEMA);
        assertThat(server.received()).hasSize(3);
    }

    @Test
    void shouldNotRetryClientErrorsAndReportTheRegistryError() {
        server.then(
                Reply.json(404, "{\"error_code\":40401,\"message\":\"Subject 'x' not found.\"}"));

        assertThatThrownBy(() -> client().getLatestVersion("x"))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(40401))
                .hasMessage(
                        "Fetching the latest version of subject 'x' failed (HTTP 404, error_code"
                                + " 40401): Subject 'x' not found.");
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void shouldRaiseAnAuthenticationErrorOn401() {
        server.then(Reply.json(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}"));

        assertThatThrownBy(() -> client().register("pings-value", SCHEMA))
                .isInstanceOf(SchemaRegistryAuthenticationException.class)
                .hasMessageContaining("subject 'pings-value'")
                .hasMessageContaining("Unauthorized");
    }

    @Test
    void shouldRaiseAnAuthorizationErrorOn403() {
        server.then(Reply.json(403, "{\"error_code\":40301,\"message\":\"User cannot access\"}"));

        assertThatThrownBy(() -> client().register("pings-value", SCHEMA))
                .isInstanceOfSatisfying(
                        SchemaRegistryAuthorizationException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(40301))
                .hasMessageContaining("User cannot access");
    }

    @Test
    void shouldQuoteAnErrorBodyThatIsNotJson() {
        server.then(Reply.json(502, "<html>Bad Gateway</html>"));

        assertThatThrownBy(() -> client(SchemaRegistryClientConfig.MAX_RETRIES, 0).getSchemaById(4))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(502))
                .hasMessageContaining("<html>Bad Gateway</html>");
    }

    @Test
    void shouldSendBasicCredentialsFromUserInfo() {
        server.then(Reply.json(200, SCHEMA_ANSWER));

        client(
                        SchemaRegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
                        SchemaRegistryClientConfig.BASIC_AUTH_USER_INFO, "alice:s3cret")
                .getSchemaById(1);

        assertThat(server.received().get(0).authorization()).isEqualTo("Basic YWxpY2U6czNjcmV0");
    }

    @Test
    void shouldSendBasicCredentialsFromTheUrl() {
        server.then(Reply.json(200, SCHEMA_ANSWER));

        client(SchemaRegistryClientConfig.URL, server.url().replace("://", "://bob:pw@"))
                .getSchemaById(1);

        assertThat(server.received().get(0).authorization()).isEqualTo("Basic Ym9iOnB3");
    }

    @Test
    void shouldSendNoCredentialsByDefault() {
        server.then(Reply.json(200, SCHEMA_ANSWER));

        client().getSchemaById(1);

        assertThat(server.received().get(0).authorization()).isNull();
    }

    @Test
    void shouldTryTheNextUrlWhenOneIsUnreachable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        server.then(Reply.json(200, SCHEMA_ANSWER));

        Schema schema =
                client(
                                SchemaRegistryClientConfig.URL,
                                "http://127.0.0.1:" + closedPort + "," + server.url(),
                                SchemaRegistryClientConfig.MAX_RETRIES,
                                0)
                        .getSchemaById(1);

        assertThat(schema).isEqualTo(SCHEMA);
    }

    @Test
    void shouldRejectUrlsOtherThanHttpAndMock() {
        assertThatThrownBy(() -> client(SchemaRegistryClientConfig.URL, "ftp://registry:21"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ftp://registry:21");
    }

    @Test
    void shouldRequireUserInfoWhenItIsTheCredentialsSource() {
        assertThatThrownBy(
                        () ->
                                client(
                                        SchemaRegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE,
                                        "USER_INFO"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SchemaRegistryClientConfig.BASIC_AUTH_USER_INFO);
    }
}
