package io.inceptionstreams.schemas.registry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.NANOSECONDS;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParser;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of a Confluent-compatible schema registry over HTTP(S), configured with the keys of
 * {@link SchemaRegistryClientConfig} ({@code schema.registry.url}, {@code basic.auth.*}, timeouts
 * and retries).
 *
 * <ul>
 *   <li>Schemas by id and ids by (subject, schema) are cached for the life of the client, so once
 *       warm a serializer or deserializer makes no HTTP call; the latest version of a subject is
 *       cached for {@code latest.cache.ttl.sec}.
 *   <li>I/O errors (including timeouts) and HTTP 5xx, 429 and 408 answers are retried with
 *       exponential backoff, at most {@code schema.registry.max.retries} times and never beyond
 *       {@code schema.registry.total.timeout.ms}; when they persist the call fails with {@link
 *       SchemaRegistryUnavailableException}, the transient failure. Other answers fail at once,
 *       permanently: HTTP 401 with {@link SchemaRegistryAuthenticationException}, 403 with {@link
 *       SchemaRegistryAuthorizationException}, the rest with {@link SchemaRegistryException}
 *       carrying the registry's {@code error_code} and {@code message}.
 *   <li>With several URLs, one that cannot be reached is skipped for the next, and the last one
 *       that answered is tried first afterwards.
 * </ul>
 *
 * <p>For {@code https://}, the {@code schema.registry.ssl.*} keys say whom to trust (else the JVM's
 * default trust store, {@code javax.net.ssl.trustStore}) and which certificate to present to a
 * registry that asks for one, and which TLS versions and cipher suites to offer. A failed TLS
 * handshake is an I/O error like a refused connection: retried, then {@link
 * SchemaRegistryUnavailableException} with the handshake's reason.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
    /** The media type of the registry protocol's requests and responses. */
    public static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final String ACCEPT =
            MEDIA_TYPE + ", application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final int MAX_QUOTED_BODY = 300;
    private static final Logger log = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * HTTP clients by connect timeout and TLS settings, shared: each owns a selector thread and
     * cannot be closed on Java 17, while Kafka Streams creates serdes, hence registry clients, for
     * every task.
     */
    private static final Map<HttpSettings, HttpClient> HTTP_CLIENTS = new ConcurrentHashMap<>();

    private final List<Endpoint> endpoints;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final long totalTimeoutNanos;
    private final long cooldownNanos;
    private final AtomicReference<SchemaRegistryUnavailableException> lastUnavailable =
            new AtomicReference<>();
    private volatile long unavailableUntilNanos;
    private final int maxRetries;
    private final long retryBackoffMs;
    private final long retryBackoffMaxMs;
    private final long latestTtlNanos;
    private final AtomicInteger preferredEndpoint = new AtomicInteger();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<String, CachedLatest> latestBySubject = new ConcurrentHashMap<>();
    private final Map<UUID, Schema> schemasByGuid = new ConcurrentHashMap<>();
    private final Map<Integer, UUID> guidsById = new ConcurrentHashMap<>();

    /** A registry URL without its user info, and the basic credentials to send to it. */
    private record Endpoint(String baseUrl, Optional<String> authorization) {

        HttpRequest request(String method, String path, String body, Duration timeout) {
            HttpRequest.Builder builder =
                    HttpRequest.newBuilder(URI.create(baseUrl + path))
                            .timeout(timeout)
                            .header("Accept", ACCEPT);
            authorization.ifPresent(value -> builder.header("Authorization", value));
            if (body == null) {
                return builder.method(method, BodyPublishers.noBody()).build();
            }
            return builder.header("Content-Type", MEDIA_TYPE)
                    .method(method, BodyPublishers.ofString(body, UTF_8))
                    .build();
        }
    }

    /** What an HTTP client is built from. */
    private record HttpSettings(Duration connectTimeout, RegistryTls tls) {

        HttpClient newClient() {
            HttpClient.Builder builder =
                    HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(connectTimeout)
                            .sslParameters(tls.handshake().parameters());
            if (!tls.isDefault()) {
                builder.sslContext(tls.context());
            }
            return builder.build();
        }
    }

    private record CachedLatest(RegisteredSchema version, long fetchedAtNanos) {}

    /** A non-2xx answer, with Confluent's error body when the registry sent one. */
    private record ErrorAnswer(int status, int errorCode, String message) {

        static ErrorAnswer of(HttpResponse<String> response) {
            int status = response.statusCode();
            try {
                JsonNode body = JSON.readTree(response.body());
                if (body != null && body.isObject()) {
                    return new ErrorAnswer(
                            status,
                            body.path("error_code").asInt(status),
                            body.path("message").asText(quote(response.body())));
                }
            } catch (JsonProcessingException e) {
                // A proxy or load balancer in front of the registry may answer with HTML or text.
            }
            return new ErrorAnswer(status, status, quote(response.body()));
        }

        SchemaRegistryException toException(String operation) {
            return SchemaRegistryException.of(operation, status, errorCode, message);
        }
    }

    /**
     * @param configs the keys of {@link SchemaRegistryClientConfig}
     * @throws ConfigException on a missing or malformed URL or credentials, or a key or trust store
     *     that cannot be read
     */
    public HttpSchemaRegistryClient(Map<String, ?> configs) {
        this(new SchemaRegistryClientConfig(configs));
    }

    HttpSchemaRegistryClient(SchemaRegistryClientConfig config) {
        Optional<String> userInfo = config.configuredUserInfo();
        this.endpoints = config.urls().stream().map(url -> endpoint(url, userInfo)).toList();
        this.http =
                HTTP_CLIENTS.computeIfAbsent(
                        new HttpSettings(
                                Duration.ofMillis(
                                        config.getInt(
                                                SchemaRegistryClientConfig.CONNECT_TIMEOUT_MS)),
                                RegistryTls.of(config)),
                        HttpSettings::newClient);
        this.requestTimeout =
                Duration.ofMillis(config.getInt(SchemaRegistryClientConfig.REQUEST_TIMEOUT_MS));
        this.totalTimeoutNanos =
                Duration.ofMillis(config.getInt(SchemaRegistryClientConfig.TOTAL_TIMEOUT_MS))
                        .toNanos();
        this.cooldownNanos =
                Duration.ofMillis(config.getInt(SchemaRegistryClientConfig.UNAVAILABLE_COOLDOWN_MS))
                        .toNanos();
        this.maxRetries = config.getInt(SchemaRegistryClientConfig.MAX_RETRIES);
        this.retryBackoffMs = config.getInt(SchemaRegistryClientConfig.RETRY_BACKOFF_MS);
        this.retryBackoffMaxMs = config.getInt(SchemaRegistryClientConfig.RETRY_BACKOFF_MAX_MS);
        long ttlSeconds = config.getLong(SchemaRegistryClientConfig.LATEST_CACHE_TTL_SEC);
        this.latestTtlNanos = ttlSeconds < 0 ? -1 : Duration.ofSeconds(ttlSeconds).toNanos();
    }

    /** The configured user info, if any, wins over the URL's. */
    private static Endpoint endpoint(String url, Optional<String> configuredUserInfo) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(SchemaRegistryClientConfig.URL, url, e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new ConfigException(
                    SchemaRegistryClientConfig.URL,
                    url,
                    "expected http://host:port, https://host:port or mock://scope");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        String baseUrl =
                scheme
                        + "://"
                        + uri.getHost()
                        + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
                        + path;
        return new Endpoint(
                baseUrl,
                configuredUserInfo
                        .or(() -> Optional.ofNullable(uri.getUserInfo()))
                        .filter(credentials -> !credentials.isEmpty())
                        .map(
                                credentials ->
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString(
                                                                credentials.getBytes(UTF_8))));
    }

    @Override
    public int register(String subject, Schema schema) {
        Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        String operation = RegistryOperations.register(subject);
        JsonNode answer =
                call(operation, "POST", subjectPath(subject) + "/versions", schemaRequest(schema));
        return remember(subject, schema, intField(operation, answer, "id"), answer);
    }

    @Override
    public int getId(String subject, Schema schema) {
        Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        String operation = RegistryOperations.lookup(subject);
        JsonNode answer = call(operation, "POST", subjectPath(subject), schemaRequest(schema));
        return remember(subject, schema, intField(operation, answer, "id"), answer);
    }

    @Override
    public Schema getSchemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        String operation = RegistryOperations.fetchById(id);
        JsonNode answer = call(operation, "GET", "/schemas/ids/" + id, null);
        Schema schema = schemaField(operation, answer);
        rememberGuid(id, answer);
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    @Override
    public Schema getSchemaByGuid(UUID guid) {
        Schema cached = schemasByGuid.get(guid);
        if (cached != null) {
            return cached;
        }
        String operation = RegistryOperations.fetchByGuid(guid);
        Schema schema =
                schemaField(operation, call(operation, "GET", "/schemas/guids/" + guid, null));
        Schema raced = schemasByGuid.putIfAbsent(guid, schema);
        return raced != null ? raced : schema;
    }

    @Override
    public UUID getGuidById(int id) {
        UUID cached = guidsById.get(id);
        if (cached != null) {
            return cached;
        }
        String operation = RegistryOperations.fetchGuid(id);
        JsonNode answer = call(operation, "GET", "/schemas/ids/" + id, null);
        schemasById.putIfAbsent(id, schemaField(operation, answer));
        rememberGuid(id, answer);
        UUID guid = guidsById.get(id);
        if (guid == null) {
            throw new SerializationException(
                    operation
                            + " failed: the registry gives no schema GUIDs (Confluent Schema"
                            + " Registry 8.0 or later does), so records cannot carry the schema in"
                            + " a header; answer "
                            + quote(answer.toString()));
        }
        return guid;
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, String version, Schema schema) {
        String operation = RegistryOperations.testCompatibility(subject, version);
        JsonNode answer =
                call(
                        operation,
                        "POST",
                        "/compatibility"
                                + subjectPath(subject)
                                + "/versions/"
                                + URLEncoder.encode(version, UTF_8)
                                + "?verbose=true",
                        schemaRequest(schema));
        JsonNode compatible = answer.path("is_compatible");
        if (!compatible.isBoolean()) {
            throw new SerializationException(
                    operation
                            + " failed: no boolean 'is_compatible' in the answer "
                            + quote(answer.toString()));
        }
        List<String> messages = new ArrayList<>();
        answer.path("messages").forEach(message -> messages.add(message.asText()));
        return new CompatibilityResult(compatible.booleanValue(), messages);
    }

    @Override
    public RegisteredSchema getLatestVersion(String subject) {
        CachedLatest cached = latestBySubject.get(subject);
        if (cached != null
                && (latestTtlNanos < 0
                        || System.nanoTime() - cached.fetchedAtNanos() < latestTtlNanos)) {
            return cached.version();
        }
        String operation = RegistryOperations.fetchLatest(subject);
        JsonNode answer = call(operation, "GET", subjectPath(subject) + "/versions/latest", null);
        RegisteredSchema latest =
                new RegisteredSchema(
                        subject,
                        intField(operation, answer, "version"),
                        intField(operation, answer, "id"),
                        schemaField(operation, answer));
        schemasById.putIfAbsent(latest.id(), latest.schema());
        rememberGuid(latest.id(), answer);
        if (latestTtlNanos != 0) {
            latestBySubject.put(subject, new CachedLatest(latest, System.nanoTime()));
        }
        return latest;
    }

    @Override
    public List<String> subjects() {
        String operation = RegistryOperations.listSubjects();
        JsonNode answer = call(operation, "GET", "/subjects", null);
        if (!answer.isArray()) {
            throw new SerializationException(
                    operation + " failed: expected a JSON array, got " + quote(answer.toString()));
        }
        List<String> subjects = new ArrayList<>();
        answer.forEach(subject -> subjects.add(subject.asText()));
        return subjects;
    }

    private Integer cachedId(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.get(subject);
        return ids == null ? null : ids.get(schema);
    }

    private int remember(String subject, Schema schema, int id, JsonNode answer) {
        idsBySubject.computeIfAbsent(subject, name -> new ConcurrentHashMap<>()).put(schema, id);
        schemasById.putIfAbsent(id, schema);
        rememberGuid(id, answer);
        return id;
    }

    /** Keeps the GUID of {@code id} if the answer (of a Confluent 8 registry) carries one. */
    private void rememberGuid(int id, JsonNode answer) {
        JsonNode guid = answer.path("guid");
        if (guid.isTextual()) {
            try {
                guidsById.putIfAbsent(id, UUID.fromString(guid.textValue()));
            } catch (IllegalArgumentException e) {
                log.debug("Ignoring the malformed GUID {} of schema id {}", guid, id);
            }
        }
    }

    private static String subjectPath(String subject) {
        // URLEncoder encodes for forms; in a path a space must be %20, not '+'.
        return "/subjects/" + URLEncoder.encode(subject, UTF_8).replace("+", "%20");
    }

    private static String schemaRequest(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static int intField(String operation, JsonNode answer, String field) {
        JsonNode value = answer.path(field);
        if (!value.isInt()) {
            throw new SerializationException(
                    operation + " failed: no integer '" + field + "' in the answer " + answer);
        }
        return value.intValue();
    }

    private static Schema schemaField(String operation, JsonNode answer) {
        String type = answer.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new SerializationException(
                    operation + " failed: schema type " + type + " is not supported, only AVRO");
        }
        JsonNode schema = answer.path("schema");
        if (!schema.isTextual()) {
            throw new SerializationException(
                    operation + " failed: no 'schema' in the answer " + quote(answer.toString()));
        }
        try {
            return SchemaParser.parseSingle(schema.textValue());
        } catch (RuntimeException e) {
            throw new SerializationException(
                    operation + " failed: the registry returned an invalid Avro schema", e);
        }
    }

    private JsonNode call(String operation, String method, String path, String body) {
        SchemaRegistryUnavailableException recent = lastUnavailable.get();
        if (recent != null && System.nanoTime() - unavailableUntilNanos < 0) {
            // The registry just failed every retry: fail at once rather than hold the caller for
            // another total timeout (a stream thread, whose transaction has a deadline).
            throw new SchemaRegistryUnavailableException(
                    operation
                            + " not attempted: the schema registry was unavailable moments ago ("
                            + recent.getMessage()
                            + ")",
                    recent.httpStatus(),
                    recent.errorCode(),
                    recent);
        }
        try {
            JsonNode answer = attempt(operation, method, path, body);
            lastUnavailable.set(null);
            return answer;
        } catch (SchemaRegistryUnavailableException e) {
            if (cooldownNanos > 0) {
                unavailableUntilNanos = System.nanoTime() + cooldownNanos;
                lastUnavailable.set(e);
            }
            throw e;
        }
    }

    private JsonNode attempt(String operation, String method, String path, String body) {
        long start = System.nanoTime();
        long deadline = start + totalTimeoutNanos;
        long backoffMs = retryBackoffMs;
        for (int attempt = 1; ; attempt++) {
            // Built lazily so that the message can tell how many attempts were made.
            Function<String, SerializationException> failure;
            try {
                HttpResponse<String> response = exchange(method, path, body, deadline);
                if (response.statusCode() / 100 == 2) {
                    return parseAnswer(operation, response.body());
                }
                ErrorAnswer error = ErrorAnswer.of(response);
                if (!SchemaRegistryUnavailableException.isTransientStatus(error.status())) {
                    throw error.toException(operation);
                }
                failure = error::toException;
            } catch (IOException e) {
                failure =
                        description ->
                                new SchemaRegistryUnavailableException(
                                        description
                                                + " failed: no answer from the schema registry at "
                                                + endpoints.stream().map(Endpoint::baseUrl).toList()
                                                + " ("
                                                + e
                                                + ")",
                                        SchemaRegistryUnavailableException.NO_ANSWER,
                                        SchemaRegistryUnavailableException.NO_ANSWER,
                                        e);
            }
            long remainingMs = NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (attempt > maxRetries || remainingMs <= backoffMs) {
                long elapsedMs = NANOSECONDS.toMillis(System.nanoTime() - start);
                throw failure.apply(
                        operation + " (" + attempt + " attempts in " + elapsedMs + " ms)");
            }
            log.warn(
                    "{}; retry {} of {} in {} ms",
                    failure.apply(operation).getMessage(),
                    attempt,
                    maxRetries,
                    backoffMs);
            sleep(backoffMs);
            backoffMs = Math.min(backoffMs * 2, retryBackoffMaxMs);
        }
    }

    /** Sends to the preferred endpoint, falling over to the next ones on I/O errors. */
    private HttpResponse<String> exchange(String method, String path, String body, long deadline)
            throws IOException {
        int first = preferredEndpoint.get();
        IOException failure = null;
        for (int i = 0; i < endpoints.size(); i++) {
            long remainingNanos = deadline - System.nanoTime();
            if (remainingNanos <= 0) {
                break;
            }
            int index = (first + i) % endpoints.size();
            Duration timeout =
                    requestTimeout.compareTo(Duration.ofNanos(remainingNanos)) < 0
                            ? requestTimeout
                            : Duration.ofNanos(remainingNanos);
            HttpRequest request = endpoints.get(index).request(method, path, body, timeout);
            try {
                HttpResponse<String> response = http.send(request, BodyHandlers.ofString(UTF_8));
                preferredEndpoint.set(index);
                return response;
            } catch (IOException e) {
                log.debug("{} {} failed: {}", method, request.uri(), e.toString());
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            } catch (InterruptedException e) {
                throw new InterruptException(e);
            }
        }
        throw failure != null
                ? failure
                : new HttpTimeoutException(
                        "total timeout of " + NANOSECONDS.toMillis(totalTimeoutNanos) + " ms");
    }

    private static JsonNode parseAnswer(String operation, String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new SerializationException(
                    operation + " failed: the registry answered with invalid JSON " + quote(body),
                    e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new InterruptException(e);
        }
    }

    private static String quote(String body) {
        if (body == null || body.isEmpty()) {
            return "(empty body)";
        }
        return body.length() <= MAX_QUOTED_BODY ? body : body.substring(0, MAX_QUOTED_BODY) + "...";
    }
}
