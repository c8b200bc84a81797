package io.inceptionstreams.schemas.registry.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.inceptionstreams.schemas.registry.CompatibilityLevel;
import io.inceptionstreams.schemas.registry.HttpSchemaRegistryClient;
import io.inceptionstreams.schemas.registry.RegisteredSchema;
import io.inceptionstreams.schemas.registry.RegistryError;
import io.inceptionstreams.schemas.registry.SchemaRegistryException;
import io.inceptionstreams.schemas.registry.SchemaStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry speaking Confluent's REST protocol, in-process and on the loopback interface,
 * for tests and local runs: point producers, consumers and Kafka Streams at {@link #url()}.
 *
 * <pre>{@code
 * try (EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry().start()) {
 *     props.put("schema.registry.url", registry.url());
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #withTls} makes it serve HTTPS instead, optionally asking every client for a
 * certificate (mutual TLS), or with the TLS versions and cipher suites of given parameters.
 *
 * <p>State lives in memory in a {@link SchemaStore} (ids, versions, compatibility checks), the same
 * implementation as {@code mock://} registries. Endpoints, all with content type {@value
 * HttpSchemaRegistryClient#MEDIA_TYPE}:
 *
 * <ul>
 *   <li>{@code POST /subjects/{s}/versions} {@code {"schema":"..."}} registers: {@code
 *       {"id":1,"guid":"..."}}.
 *   <li>{@code POST /subjects/{s}} looks a schema up: {@code
 *       {"subject","version","id","guid","schema"}}.
 *   <li>{@code GET /schemas/ids/{id}} and {@code GET /schemas/guids/{guid}}: {@code
 *       {"schema":"...","guid":"..."}}; {@code GET /schemas/ids/{id}/subjects}: the subjects of its
 *       live versions; {@code GET /schemas/ids/{id}/versions}: {@code [{"subject","version"}]};
 *       {@code GET /schemas/types}: {@code ["AVRO"]}.
 *   <li>{@code GET /subjects}, {@code GET /subjects/{s}/versions}, {@code GET
 *       /subjects/{s}/versions/{v}} with {@code v} a number, {@code latest} or {@code -1}.
 *   <li>{@code DELETE /subjects/{s}} and {@code DELETE /subjects/{s}/versions/{v}}: soft deletes,
 *       answering the deleted version numbers (the ids stay resolvable); then, with {@code
 *       ?permanent=true}, permanent deletes of what is soft-deleted (see {@link SchemaStore}).
 *   <li>{@code POST /compatibility/subjects/{s}/versions/{v}} and {@code POST
 *       /compatibility/subjects/{s}/versions} {@code {"schema":"..."}}: {@code
 *       {"is_compatible":true}}, with {@code ?verbose=true} also {@code "messages":[...]}.
 *   <li>{@code GET /config}: {@code {"compatibilityLevel":"BACKWARD"}}; {@code PUT /config} {@code
 *       {"compatibility":"FULL"}}, answered with the same body.
 *   <li>{@code GET /config/{s}}: the subject's own level, or, as in Confluent's registry, error
 *       40408 when it has none, unless {@code ?defaultToGlobal=true} asks for the global level
 *       instead; {@code PUT /config/{s}} as {@code PUT /config}; {@code DELETE /config/{s}} drops
 *       the subject's level and answers the one it followed: {@code {"compatibilityLevel":"FULL"}}.
 * </ul>
 *
 * <p>Errors have Confluent's body {@code {"error_code":40401,"message":"..."}} with the codes of
 * {@link RegistryError}: 40401 subject, 40402 version, 40403 schema not found, 40404 subject
 * already soft-deleted, 40405 subject not soft-deleted before a permanent delete, 40406 version
 * already soft-deleted, 40407 version not soft-deleted before a permanent delete, 40408 no subject
 * level, 409 incompatible schema, 42201 invalid schema (also for non-Avro {@code schemaType} and
 * schema references, which are not supported), 42202 invalid version, 42203 invalid compatibility
 * level, 400 malformed JSON, 404 unknown path, 405 wrong method.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOOPBACK = "127.0.0.1";
    private static final int HANDLER_THREADS = 4;

    private final int requestedPort;
    private final SchemaStore store = new SchemaStore();
    private final List<Route> routes;
    private HttpServer server;
    private ExecutorService executor;
    private SSLContext tls;
    private SSLParameters tlsParameters;

    private record Request(List<String> pathParams, Map<String, String> query, byte[] body) {}

    private record Response(int status, JsonNode body) {}

    @FunctionalInterface
    private interface Handler {
        Response handle(Request request) throws IOException;
    }

    /** A path pattern such as {@code subjects/* /versions} and its handlers by HTTP method. */
    private record Route(List<String> pattern, Map<String, Handler> handlers) {

        static Route of(String pattern, Map<String, Handler> handlers) {
            return new Route(List.of(pattern.split("/")), handlers);
        }

        boolean matches(List<String> segments) {
            if (segments.size() != pattern.size()) {
                return false;
            }
            for (int i = 0; i < segments.size(); i++) {
                if (!pattern.get(i).equals("*") && !pattern.get(i).equals(segments.get(i))) {
                    return false;
                }
            }
            return true;
        }

        List<String> params(List<String> segments) {
            return IntStream.range(0, segments.size())
                    .filter(i -> pattern.get(i).equals("*"))
                    .mapToObj(segments::get)
                    .toList();
        }
    }

    /** A registry on a random free port. */
    public EmbeddedSchemaRegistry() {
        this(0);
    }

    /**
     * @param port the loopback port to listen on, 0 for a random free one
     */
    public EmbeddedSchemaRegistry(int port) {
        this.requestedPort = port;
        this.routes =
                List.of(
                        Route.of("subjects", Map.of("GET", request -> listSubjects())),
                        Route.of(
                                "subjects/*",
                                Map.of("POST", this::lookUp, "DELETE", this::deleteSubject)),
                        Route.of(
                                "subjects/*/versions",
                                Map.of("GET", this::listVersions, "POST", this::register)),
                        Route.of(
                                "subjects/*/versions/*",
                                Map.of("GET", this::getVersion, "DELETE", this::deleteVersion)),
                        Route.of(
                                "compatibility/subjects/*/versions",
                                Map.of("POST", this::testCompatibilityWithAll)),
                        Route.of(
                                "compatibility/subjects/*/versions/*",
                                Map.of("POST", this::testCompatibility)),
                        Route.of("schemas/types", Map.of("GET", request -> schemaTypes())),
                        Route.of("schemas/ids/*", Map.of("GET", this::getSchemaById)),
                        Route.of("schemas/ids/*/subjects", Map.of("GET", this::subjectsById)),
                        Route.of("schemas/ids/*/versions", Map.of("GET", this::versionsById)),
                        Route.of("schemas/guids/*", Map.of("GET", this::getSchemaByGuid)),
                        Route.of(
                                "config",
                                Map.of(
                                        "GET",
                                        request -> getGlobalConfig(),
                                        "PUT",
                                        this::putGlobalConfig)),
                        Route.of(
                                "config/*",
                                Map.of(
                                        "GET",
                                        this::getSubjectConfig,
                                        "PUT",
                                        this::putSubjectConfig,
                                        "DELETE",
                                        this::deleteSubjectConfig)));
    }

    /**
     * Serves HTTPS instead of HTTP once started: {@code tls}'s key manager gives the server's
     * certificate, and with {@code requireClientCertificate} a client must present one that its
     * trust manager trusts, or the handshake fails.
     *
     * @return this, to chain with the constructor
     */
    public EmbeddedSchemaRegistry withTls(SSLContext tls, boolean requireClientCertificate) {
        SSLParameters parameters = tls.getDefaultSSLParameters();
        parameters.setNeedClientAuth(requireClientCertificate);
        return withTls(tls, parameters);
    }

    /**
     * Serves HTTPS instead of HTTP once started, with {@code tls}'s certificate and trust, and the
     * TLS versions, cipher suites and client authentication of {@code parameters}.
     *
     * @return this, to chain with the constructor
     */
    public synchronized EmbeddedSchemaRegistry withTls(SSLContext tls, SSLParameters parameters) {
        if (server != null) {
            throw new IllegalStateException("TLS is set before the schema registry starts");
        }
        this.tls = tls;
        this.tlsParameters =
                new SSLParameters(parameters.getCipherSuites(), parameters.getProtocols());
        // Each of the two clears the other.
        if (parameters.getNeedClientAuth()) {
            this.tlsParameters.setNeedClientAuth(true);
        } else {
            this.tlsParameters.setWantClientAuth(parameters.getWantClientAuth());
        }
        return this;
    }

    /**
     * Binds the port and starts serving.
     *
     * @return this, to chain with the constructor
     * @throws UncheckedIOException when the port cannot be bound
     */
    public synchronized EmbeddedSchemaRegistry start() {
        if (server != null) {
            throw new IllegalStateException("The schema registry is already started");
        }
        try {
            InetSocketAddress address = new InetSocketAddress(LOOPBACK, requestedPort);
            server = tls == null ? HttpServer.create(address, 0) : httpsServer(address);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on port " + requestedPort, e);
        }
        AtomicInteger threads = new AtomicInteger();
        executor =
                Executors.newFixedThreadPool(
                        HANDLER_THREADS,
                        runnable -> {
                            Thread thread =
                                    new Thread(
                                            runnable,
                                            "embedded-schema-registry-"
                                                    + threads.incrementAndGet());
                            thread.setDaemon(true);
                            return thread;
                        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        log.info("Embedded schema registry listening on {}", url());
        return this;
    }

    private HttpsServer httpsServer(InetSocketAddress address) throws IOException {
        HttpsServer https = HttpsServer.create(address, 0);
        SSLParameters parameters = tlsParameters;
        https.setHttpsConfigurator(
                new HttpsConfigurator(tls) {
                    @Override
                    public void configure(HttpsParameters params) {
                        params.setSSLParameters(parameters);
                    }
                });
        return https;
    }

    /**
     * {@code http://127.0.0.1:PORT} ({@code https://} with {@link #withTls}), the value for {@code
     * schema.registry.url}.
     */
    public synchronized String url() {
        return (tls == null ? "http" : "https") + "://" + LOOPBACK + ":" + port();
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("The schema registry is not started");
        }
        return server.getAddress().getPort();
    }

    /** Stops serving at once, without waiting for requests in progress. Idempotent. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Response response;
            try {
                response = dispatch(exchange);
            } catch (SchemaRegistryException e) {
                response = error(e.httpStatus(), e.errorCode(), e.getMessage());
            } catch (RuntimeException e) {
                log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                RegistryError internal = RegistryError.INTERNAL_ERROR;
                response = error(internal.httpStatus(), internal.errorCode(), e.toString());
            }
            byte[] body = JSON.writeValueAsBytes(response.body());
            exchange.getResponseHeaders().set("Content-Type", HttpSchemaRegistryClient.MEDIA_TYPE);
            exchange.sendResponseHeaders(response.status(), body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private Response dispatch(HttpExchange exchange) throws IOException {
        List<String> segments;
        Map<String, String> query;
        try {
            segments =
                    Arrays.stream(exchange.getRequestURI().getRawPath().split("/"))
                            .filter(segment -> !segment.isEmpty())
                            .map(EmbeddedSchemaRegistry::decodePathSegment)
                            .toList();
            query = query(exchange.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            throw RegistryError.MALFORMED_REQUEST.exception("Malformed URL: " + e.getMessage());
        }
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        for (Route route : routes) {
            if (route.matches(segments)) {
                Handler handler = route.handlers().get(method);
                if (handler == null) {
                    exchange.getResponseHeaders()
                            .set("Allow", String.join(", ", route.handlers().keySet()));
                    throw RegistryError.METHOD_NOT_ALLOWED.exception("HTTP 405 Method Not Allowed");
                }
                return handler.handle(
                        new Request(
                                route.params(segments),
                                query,
                                exchange.getRequestBody().readAllBytes()));
            }
        }
        throw RegistryError.NOT_FOUND.exception("HTTP 404 Not Found");
    }

    private Response listSubjects() {
        ArrayNode subjects = JSON.createArrayNode();
        store.subjects().forEach(subjects::add);
        return ok(subjects);
    }

    private Response listVersions(Request request) {
        ArrayNode versions = JSON.createArrayNode();
        store.versions(request.pathParams().get(0)).forEach(versions::add);
        return ok(versions);
    }

    private Response register(Request request) throws IOException {
        String subject = request.pathParams().get(0);
        RegisteredSchema registered = store.register(subject, schemaOf(request));
        return ok(
                JSON.createObjectNode()
                        .put("id", registered.id())
                        .put("guid", store.guidById(registered.id()).toString()));
    }

    private Response lookUp(Request request) throws IOException {
        return ok(describe(store.lookup(request.pathParams().get(0), schemaOf(request))));
    }

    private Response getVersion(Request request) {
        String subject = request.pathParams().get(0);
        int version = SchemaStore.parseVersion(request.pathParams().get(1));
        return ok(describe(store.version(subject, version)));
    }

    private Response deleteSubject(Request request) {
        ArrayNode versions = JSON.createArrayNode();
        store.deleteSubject(request.pathParams().get(0), permanent(request)).forEach(versions::add);
        return ok(versions);
    }

    private Response deleteVersion(Request request) {
        String subject = request.pathParams().get(0);
        int version = SchemaStore.parseVersion(request.pathParams().get(1));
        return ok(
                JSON.getNodeFactory()
                        .numberNode(store.deleteVersion(subject, version, permanent(request))));
    }

    private Response testCompatibility(Request request) throws IOException {
        String subject = request.pathParams().get(0);
        int version = SchemaStore.parseVersion(request.pathParams().get(1));
        Schema candidate = schemaOf(request);
        return ok(verdict(store.incompatibilities(subject, version, candidate), request));
    }

    private Response testCompatibilityWithAll(Request request) throws IOException {
        String subject = request.pathParams().get(0);
        return ok(verdict(store.incompatibilities(subject, schemaOf(request)), request));
    }

    private static ObjectNode verdict(List<String> problems, Request request) {
        ObjectNode verdict = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
        if (Boolean.parseBoolean(request.query().get("verbose"))) {
            problems.forEach(verdict.putArray("messages")::add);
            if (problems.isEmpty()) {
                verdict.putArray("messages");
            }
        }
        return verdict;
    }

    private static boolean permanent(Request request) {
        return Boolean.parseBoolean(request.query().get("permanent"));
    }

    private Response getSchemaById(Request request) {
        int id = idOf(request);
        return ok(
                JSON.createObjectNode()
                        .put("schema", store.schemaById(id).toString())
                        .put("guid", store.guidById(id).toString()));
    }

    private Response getSchemaByGuid(Request request) {
        String text = request.pathParams().get(0);
        UUID guid;
        try {
            guid = UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw RegistryError.SCHEMA_NOT_FOUND.exception(
                    "Schema with GUID " + text + " not found");
        }
        return ok(
                JSON.createObjectNode()
                        .put("schema", store.schemaByGuid(guid).toString())
                        .put("guid", guid.toString()));
    }

    private Response subjectsById(Request request) {
        ArrayNode subjects = JSON.createArrayNode();
        store.subjectsById(idOf(request)).forEach(subjects::add);
        return ok(subjects);
    }

    private Response versionsById(Request request) {
        ArrayNode versions = JSON.createArrayNode();
        for (RegisteredSchema version : store.versionsById(idOf(request))) {
            versions.addObject()
                    .put("subject", version.subject())
                    .put("version", version.version());
        }
        return ok(versions);
    }

    private static Response schemaTypes() {
        return ok(JSON.createArrayNode().add("AVRO"));
    }

    private static int idOf(Request request) {
        String id = request.pathParams().get(0);
        try {
            return Integer.parseInt(id);
        } catch (NumberFormatException e) {
            throw RegistryError.SCHEMA_NOT_FOUND.exception("Schema " + id + " not found");
        }
    }

    private Response getGlobalConfig() {
        return ok(compatibilityLevel(store.globalCompatibility()));
    }

    private Response putGlobalConfig(Request request) throws IOException {
        CompatibilityLevel level = compatibilityOf(request);
        store.setGlobalCompatibility(level);
        return ok(JSON.createObjectNode().put("compatibility", level.name()));
    }

    private Response getSubjectConfig(Request request) {
        String subject = request.pathParams().get(0);
        Optional<CompatibilityLevel> own = store.subjectCompatibility(subject);
        if (own.isPresent()) {
            return ok(compatibilityLevel(own.get()));
        }
        if (Boolean.parseBoolean(request.query().get("defaultToGlobal"))) {
            return ok(compatibilityLevel(store.globalCompatibility()));
        }
        throw RegistryError.SUBJECT_COMPATIBILITY_NOT_CONFIGURED.exception(
                "Subject '" + subject + "' does not have subject-level compatibility configured");
    }

    private Response deleteSubjectConfig(Request request) {
        return ok(
                compatibilityLevel(store.deleteSubjectCompatibility(request.pathParams().get(0))));
    }

    private Response putSubjectConfig(Request request) throws IOException {
        CompatibilityLevel level = compatibilityOf(request);
        store.setSubjectCompatibility(request.pathParams().get(0), level);
        return ok(JSON.createObjectNode().put("compatibility", level.name()));
    }

    private static Schema schemaOf(Request request) throws IOException {
        JsonNode body = jsonObject(request);
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw RegistryError.INVALID_SCHEMA.exception(
                    "Unsupported schemaType '"
                            + type
                            + "': this registry stores AVRO schemas only");
        }
        if (!body.path("references").isEmpty()) {
            throw RegistryError.INVALID_SCHEMA.exception("Schema references are not supported");
        }
        JsonNode schema = body.path("schema");
        if (!schema.isTextual() || schema.textValue().isBlank()) {
            throw RegistryError.INVALID_SCHEMA.exception(
                    "Invalid schema: the request has no \"schema\" string");
        }
        return SchemaStore.parse(schema.textValue());
    }

    private static CompatibilityLevel compatibilityOf(Request request) throws IOException {
        JsonNode level = jsonObject(request).path("compatibility");
        try {
            return CompatibilityLevel.valueOf(level.asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw RegistryError.INVALID_COMPATIBILITY_LEVEL.exception(
                    "Invalid compatibility level "
                            + level
                            + ". Valid values are "
                            + Arrays.toString(CompatibilityLevel.values()));
        }
    }

    private static JsonNode jsonObject(Request request) throws IOException {
        JsonNode body;
        try {
            body = JSON.readTree(request.body());
        } catch (JsonProcessingException e) {
            throw RegistryError.MALFORMED_REQUEST.exception(
                    "Malformed JSON request body: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw RegistryError.MALFORMED_REQUEST.exception(
                    "The request body must be a JSON object");
        }
        return body;
    }

    private ObjectNode describe(RegisteredSchema registered) {
        return JSON.createObjectNode()
                .put("subject", registered.subject())
                .put("version", registered.version())
                .put("id", registered.id())
                .put("guid", store.guidById(registered.id()).toString())
                .put("schema", registered.schema().toString());
    }

    private static ObjectNode compatibilityLevel(CompatibilityLevel level) {
        return JSON.createObjectNode().put("compatibilityLevel", level.name());
    }

    private static Response ok(JsonNode body) {
        return new Response(200, body);
    }

    private static Response error(int status, int errorCode, String message) {
        return new Response(
                status,
                JSON.createObjectNode().put("error_code", errorCode).put("message", message));
    }

    private static String decodePathSegment(String raw) {
        // URLDecoder decodes forms, where '+' is a space; in a path it is a literal '+'.
        return URLDecoder.decode(raw.replace("+", "%2B"), UTF_8);
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> parameters = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int equals = pair.indexOf('=');
                String name = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : pair.substring(equals + 1);
                parameters.put(URLDecoder.decode(name, UTF_8), URLDecoder.decode(value, UTF_8));
            }
        }
        return parameters;
    }
}
