package io.inceptionstreams.streams.config;

import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.schemas.registry.SchemaRegistryClientConfig;
import io.inceptionstreams.schemas.serde.AvroSerdeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Every knob of the classifier service, each with one name, one default and one description in
 * {@link #DEFINITION}, the single list the configuration table of docs/configuration.md is
 * generated from and checked against.
 *
 * <p>Values come from, in increasing precedence: the defaults, a properties file, environment
 * variables ({@code INCEPTION_} + the upper-snake key, e.g. {@code max.batch.size} is {@code
 * INCEPTION_MAX_BATCH_SIZE}), and explicit overrides (the command line's flags). All are validated
 * at once, here, so a bad value stops the service at start with the key, the value and where it
 * came from.
 *
 * <p>Two prefixes pass settings through untouched, because Kafka and the serde have far more
 * settings than this service should repeat: {@code kafka.<key>} sets the Kafka Streams (and
 * embedded client) property {@code <key>}, e.g. {@code kafka.commit.interval.ms}; {@code
 * serde.<key>} sets the Avro serde and registry client property {@code <key>}, e.g. {@code
 * serde.schema.registry.request.timeout.ms}. From the environment they are {@code
 * INCEPTION_KAFKA_COMMIT_INTERVAL_MS} and so on (underscores become dots). Any other unknown key is
 * an error, since it is almost always a typo.
 */
public final class ClassifierConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = SchemaRegistryClientConfig.URL;
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE =
            SchemaRegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE;
    public static final String BASIC_AUTH_USER_INFO =
            SchemaRegistryClientConfig.BASIC_AUTH_USER_INFO;
    public static final String APPLICATION_ID = "application.id";
    public static final String IMAGES_TOPIC = "images.topic";
    public static final String LABELS_TOPIC = "labels.topic";
    public static final String MODELS_TOPIC = "models.topic";
    public static final String SHADOW_LABELS_TOPIC = "shadow.labels.topic";
    public static final String DLQ_TOPIC = "dlq.topic";
    public static final String MODEL_BUNDLE = "model.bundle";
    public static final String DEVICE = "device";
    public static final String MAX_BATCH_SIZE = "max.batch.size";
    public static final String MAX_BATCH_DELAY_MS = "max.batch.delay.ms";
    public static final String TOP_K = "top.k";
    public static final String PREPROCESS_THREADS = "preprocess.threads";
    public static final String NUM_STREAM_THREADS = "num.stream.threads";
    public static final String MAX_IN_FLIGHT_PER_TASK = "max.in.flight.per.task";
    public static final String IMAGE_TIMEOUT_MS = "image.timeout.ms";
    public static final String FORWARD_INTERVAL_MS = "forward.interval.ms";
    public static final String IMAGE_MAX_BYTES = "image.max.bytes";
    public static final String IMAGE_MAX_PIXELS = "image.max.pixels";
    public static final String REFERENCE_FILE_ROOTS = "reference.file.roots";
    public static final String REFERENCE_HTTP_ENABLED = "reference.http.enabled";
    public static final String REFERENCE_HTTP_TIMEOUT_MS = "reference.http.timeout.ms";
    public static final String IMAGE_MAX_DECODED_BYTES = "image.max.decoded.bytes";
    public static final String REFERENCE_HTTP_ALLOW_PRIVATE = "reference.http.allow.private";
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";
    public static final String ROCKSDB_MEMORY_BYTES = "rocksdb.memory.bytes";
    public static final String HTTP_PORT = "http.port";
    public static final String STARTUP_TIMEOUT_MS = "startup.timeout.ms";
    public static final String HEALTH_MAX_THREAD_REPLACEMENTS = "health.max.thread.replacements";
    public static final String HEALTH_THREAD_REPLACEMENT_WINDOW_MS =
            "health.thread.replacement.window.ms";
    public static final String HEALTH_MAX_PENDING_AGE_MS = "health.max.pending.age.ms";
    public static final String HEALTH_MAX_REGISTRY_OUTAGE_MS = "health.max.registry.outage.ms";

    public static final String KAFKA_PREFIX = "kafka.";

    /** The service's bound on one registry call, unless {@code serde.} sets it. */
    public static final int SERDE_TOTAL_TIMEOUT_MS = 5_000;

    public static final String SERDE_PREFIX = "serde.";
    public static final String ENV_PREFIX = "INCEPTION_";

    /** The configuration file the command line reads when {@code --config} is not given. */
    public static final String CONFIG_FILE_VARIABLE = "INCEPTION_CONFIG";

    /**
     * {@code INCEPTION_*} variables that belong to the launcher, not to a knob: the configuration
     * file and the JVM options of {@code ./inception-streams}.
     */
    private static final Set<String> LAUNCHER_VARIABLES =
            Set.of(CONFIG_FILE_VARIABLE, "INCEPTION_JAVA_OPTS");

    private static final ConfigDef.Validator DEVICE_VALIDATOR =
            new ConfigDef.Validator() {
                @Override
                public void ensureValid(String name, Object value) {
                    if (value == null || !((String) value).matches("auto|cpu|gpu(:\\d+)?")) {
                        throw new ConfigException(name, value, "must be auto, cpu or gpu:N");
                    }
                }

                @Override
                public String toString() {
                    return "auto, cpu, gpu:N";
                }
            };

    /** The knobs: name, type, default, valid values and description, in documentation order. */
    public static final ConfigDef DEFINITION =
            new ConfigDef()
                    .define(
                            BOOTSTRAP_SERVERS,
                            Type.LIST,
                            "localhost:9092",
                            Importance.HIGH,
                            "Kafka brokers to connect to, host:port, comma-separated.")
                    .define(
                            SCHEMA_REGISTRY_URL,
                            Type.STRING,
                            "http://localhost:8081",
                            Importance.HIGH,
                            "Schema registry URL(s), comma-separated, or mock://scope for an"
                                    + " in-JVM registry.")
                    .define(
                            BASIC_AUTH_CREDENTIALS_SOURCE,
                            Type.STRING,
                            "URL",
                            ValidString.in("URL", "USER_INFO"),
                            Importance.MEDIUM,
                            "Where the registry's HTTP basic credentials come from: URL (user info"
                                    + " in the URL) or USER_INFO (basic.auth.user.info).")
                    .define(
                            BASIC_AUTH_USER_INFO,
                            Type.PASSWORD,
                            null,
                            Importance.MEDIUM,
                            "user:password for the registry when the credentials source is"
                                    + " USER_INFO.")
                    .define(
                            APPLICATION_ID,
                            Type.STRING,
                            "inception-streams",
                            new ConfigDef.NonEmptyString(),
                            Importance.HIGH,
                            "Kafka Streams application id: the consumer group, and the prefix of"
                                    + " internal topics and the state directory.")
                    .define(
                            IMAGES_TOPIC,
                            Type.STRING,
                            "images",
                            new ConfigDef.NonEmptyString(),
                            Importance.HIGH,
                            "Topic of ImageEvents to classify (key: image id).")
                    .define(
                            LABELS_TOPIC,
                            Type.STRING,
                            "labels",
                            new ConfigDef.NonEmptyString(),
                            Importance.HIGH,
                            "Topic the LabelEvents are written to (key: image id).")
                    .define(
                            DLQ_TOPIC,
                            Type.STRING,
                            "images.dlq",
                            new ConfigDef.NonEmptyString(),
                            Importance.HIGH,
                            "Dead-letter topic: records that cannot be read or classified, with"
                                    + " their original key and value and error headers.")
                    .define(
                            MODELS_TOPIC,
                            Type.STRING,
                            "models",
                            Importance.MEDIUM,
                            "Compacted control topic of ModelDeployments (key: active or shadow)"
                                    + " that every instance follows to switch models while it"
                                    + " runs; empty: no rollouts, the instance keeps model.bundle."
                                    + " The topic need not exist when the instance starts.")
                    .define(
                            SHADOW_LABELS_TOPIC,
                            Type.STRING,
                            "labels.shadow",
                            new ConfigDef.NonEmptyString(),
                            Importance.LOW,
                            "Topic the shadow model's LabelEvents are written to (key: image id),"
                                    + " while a shadow deployment runs; it must exist by then.")
                    .define(
                            MODEL_BUNDLE,
                            Type.STRING,
                            "default",
                            new ConfigDef.NonEmptyString(),
                            Importance.HIGH,
                            "Model bundle: a directory, classpath:folder, or default (the bundled"
                                    + " Fashion-MNIST GoogLeNet).")
                    .define(
                            DEVICE,
                            Type.STRING,
                            "auto",
                            DEVICE_VALIDATOR,
                            Importance.MEDIUM,
                            "Where the model runs: auto (GPU 0 if MXNet sees one, else CPU), cpu or"
                                    + " gpu:N.")
                    .define(
                            MAX_BATCH_SIZE,
                            Type.INT,
                            16,
                            Range.between(1, 1024),
                            Importance.MEDIUM,
                            "A batch closes when it holds this many images.")
                    .define(
                            MAX_BATCH_DELAY_MS,
                            Type.LONG,
                            20L,
                            Range.between(0, 60_000),
                            Importance.MEDIUM,
                            "...or when its oldest image has waited this long, in milliseconds.")
                    .define(
                            TOP_K,
                            Type.INT,
                            5,
                            Range.atLeast(1),
                            Importance.MEDIUM,
                            "Labels per image, highest confidence first (at most the model's class"
                                    + " count).")
                    .define(
                            PREPROCESS_THREADS,
                            Type.INT,
                            2,
                            Range.between(1, 256),
                            Importance.LOW,
                            "Threads that fetch, decode and resize images before batching.")
                    .define(
                            NUM_STREAM_THREADS,
                            Type.INT,
                            1,
                            Range.between(1, 256),
                            Importance.MEDIUM,
                            "Kafka Streams threads of this instance; all share one inference"
                                    + " engine.")
                    .define(
                            MAX_IN_FLIGHT_PER_TASK,
                            Type.INT,
                            64,
                            Range.between(1, 100_000),
                            Importance.MEDIUM,
                            "Images a task (partition) may have submitted and not yet forwarded;"
                                    + " more wait in the pending store.")
                    .define(
                            IMAGE_TIMEOUT_MS,
                            Type.LONG,
                            60_000L,
                            Range.between(1, 3_600_000),
                            Importance.MEDIUM,
                            "An image submitted to the engine and not classified within this many"
                                    + " milliseconds is dead-lettered as TIMEOUT (unless the"
                                    + " engine itself is stuck: then the task fails and is"
                                    + " retried).")
                    .define(
                            FORWARD_INTERVAL_MS,
                            Type.LONG,
                            10L,
                            Range.between(1, 10_000),
                            Importance.LOW,
                            "Wall-clock interval at which finished images are forwarded, in"
                                    + " milliseconds; also the stream thread's longest poll.")
                    .define(
                            IMAGE_MAX_BYTES,
                            Type.LONG,
                            ImageLimits.defaults().maxEncodedBytes(),
                            Range.atLeast(1),
                            Importance.MEDIUM,
                            "Largest encoded image accepted, inline or by reference, in bytes.")
                    .define(
                            IMAGE_MAX_PIXELS,
                            Type.LONG,
                            ImageLimits.defaults().maxPixels(),
                            Range.atLeast(1),
                            Importance.MEDIUM,
                            "Largest image accepted, width x height as declared by its header.")
                    .define(
                            REFERENCE_FILE_ROOTS,
                            Type.LIST,
                            List.of(),
                            Importance.MEDIUM,
                            "Directories file: image references may point into, comma-separated;"
                                    + " empty rejects every file: reference.")
                    .define(
                            REFERENCE_HTTP_ENABLED,
                            Type.BOOLEAN,
                            false,
                            Importance.MEDIUM,
                            "Whether http(s): image references are fetched; off by default since"
                                    + " it lets producers make the service issue requests.")
                    .define(
                            REFERENCE_HTTP_TIMEOUT_MS,
                            Type.LONG,
                            5_000L,
                            Range.between(1, 600_000),
                            Importance.LOW,
                            "Time limit to connect to and download one http(s): reference, in"
                                    + " milliseconds.")
                    .define(
                            IMAGE_MAX_DECODED_BYTES,
                            Type.LONG,
                            ImageLimits.defaults().maxDecodedBytes(),
                            Range.atLeast(1),
                            Importance.MEDIUM,
                            "Largest decoded raster accepted, width x height x bands x bytes per"
                                    + " sample from the header, checked before decoding; also the"
                                    + " decode memory in flight across the preprocessing pool.")
                    .define(
                            REFERENCE_HTTP_ALLOW_PRIVATE,
                            Type.BOOLEAN,
                            false,
                            Importance.MEDIUM,
                            "Whether http(s): references may point to loopback, link-local,"
                                    + " private, carrier-grade NAT or multicast addresses; off so"
                                    + " producers cannot reach internal services.")
                    .define(
                            PROCESSING_GUARANTEE,
                            Type.STRING,
                            StreamsConfig.EXACTLY_ONCE_V2,
                            ValidString.in(
                                    StreamsConfig.AT_LEAST_ONCE, StreamsConfig.EXACTLY_ONCE_V2),
                            Importance.MEDIUM,
                            "exactly_once_v2 (labels, dead letters, pending store and offsets"
                                    + " commit atomically: one label per image), or at_least_once"
                                    + " (no loss; duplicates after a crash or rebalance).")
                    .define(
                            ROCKSDB_MEMORY_BYTES,
                            Type.LONG,
                            128L << 20,
                            Range.atLeast(0),
                            Importance.LOW,
                            "Off-heap memory shared by all the instance's RocksDB stores: one"
                                    + " block cache of this size, of which write buffers take up"
                                    + " to half; 0 keeps Kafka Streams' defaults (per store:"
                                    + " a 50 MiB block cache and three 16 MiB write buffers)."
                                    + " Unused when kafka.rocksdb.config.setter is set.")
                    .define(
                            HTTP_PORT,
                            Type.INT,
                            8080,
                            Range.between(-1, 65_535),
                            Importance.MEDIUM,
                            "Port of the HTTP endpoints /health, /metrics (Prometheus text) and"
                                    + " /model (the model versions, JSON); 0 picks a free port, -1"
                                    + " turns them off.")
                    .define(
                            STARTUP_TIMEOUT_MS,
                            Type.LONG,
                            30_000L,
                            Range.between(1, 600_000),
                            Importance.LOW,
                            "How long the service tries to reach Kafka and the schema registry at"
                                    + " start before it gives up with an error, in milliseconds.")
                    .define(
                            HEALTH_MAX_THREAD_REPLACEMENTS,
                            Type.INT,
                            3,
                            Range.atLeast(0),
                            Importance.LOW,
                            "/health is DOWN when stream threads were replaced after a failure"
                                    + " more than this many times within"
                                    + " health.thread.replacement.window.ms.")
                    .define(
                            HEALTH_THREAD_REPLACEMENT_WINDOW_MS,
                            Type.LONG,
                            600_000L,
                            Range.atLeast(1),
                            Importance.LOW,
                            "The window of health.max.thread.replacements, in milliseconds.")
                    .define(
                            HEALTH_MAX_PENDING_AGE_MS,
                            Type.LONG,
                            120_000L,
                            Range.atLeast(1),
                            Importance.LOW,
                            "/health is DOWN when the oldest image in flight (submitted to the"
                                    + " engine, not yet forwarded) of any task is older than this,"
                                    + " in milliseconds.")
                    .define(
                            HEALTH_MAX_REGISTRY_OUTAGE_MS,
                            Type.LONG,
                            60_000L,
                            Range.atLeast(1),
                            Importance.LOW,
                            "/health is DOWN when the schema registry has failed every call"
                                    + " (transiently) for longer than this, in milliseconds.");

    private final Map<String, Setting> settings;
    private final Map<String, String> kafkaPassThrough;
    private final Map<String, String> serdePassThrough;

    private ClassifierConfig(
            Map<String, Setting> settings,
            Map<String, String> knobs,
            Map<String, String> kafka,
            Map<String, String> serde) {
        super(DEFINITION, knobs, false);
        this.settings = Map.copyOf(settings);
        this.kafkaPassThrough = Map.copyOf(kafka);
        this.serdePassThrough = Map.copyOf(serde);
    }

    /**
     * A configuration of the defaults and {@code overrides} only; handy for tests and embedding.
     */
    public static ClassifierConfig of(Map<String, String> overrides) {
        return load(Map.of(), null, Map.of(), overrides);
    }

    /**
     * Reads the configuration.
     *
     * @param file a properties file, or null for none
     * @param environment the process environment ({@code System.getenv()}); only {@code
     *     INCEPTION_*} variables are read
     * @param overrides explicit settings, which win over everything else
     * @throws ConfigException naming the key, the bad value and its source
     */
    public static ClassifierConfig load(
            Path file, Map<String, String> environment, Map<String, String> overrides) {
        return load(Map.of(), file, environment, overrides);
    }

    /**
     * Reads the configuration over a command's own defaults (the demo's, say), which take the place
     * of the built-in defaults for the keys they name and lose to every other source.
     *
     * @throws ConfigException naming the key, the bad value and its source
     */
    public static ClassifierConfig load(
            Map<String, String> commandDefaults,
            Path file,
            Map<String, String> environment,
            Map<String, String> overrides) {
        Map<String, Setting> merged = new TreeMap<>();
        commandDefaults.forEach(
                (key, value) -> merged.put(key, new Setting(value, "command default")));
        if (file != null) {
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new ConfigException("Cannot read configuration file " + file + ": " + e);
            }
            String source = "file " + file;
            properties
                    .stringPropertyNames()
                    .forEach(
                            key ->
                                    merged.put(
                                            key, new Setting(properties.getProperty(key), source)));
        }
        environment.forEach(
                (variable, value) ->
                        keyOfEnvironmentVariable(variable)
                                .ifPresent(
                                        key ->
                                                merged.put(
                                                        key,
                                                        new Setting(
                                                                value,
                                                                "environment variable "
                                                                        + variable))));
        overrides.forEach((key, value) -> merged.put(key, new Setting(value, "override")));
        return validated(merged);
    }

    /**
     * This configuration with {@code overrides} on top of every source, validated again: how a
     * command sets what only it can know, such as the address of a broker it started.
     */
    public ClassifierConfig with(Map<String, String> overrides) {
        Map<String, Setting> merged = new TreeMap<>(settings);
        overrides.forEach((key, value) -> merged.put(key, new Setting(value, "override")));
        return validated(merged);
    }

    private static ClassifierConfig validated(Map<String, Setting> merged) {
        Map<String, String> knobs = new LinkedHashMap<>();
        Map<String, String> kafka = new LinkedHashMap<>();
        Map<String, String> serde = new LinkedHashMap<>();
        merged.forEach(
                (key, setting) -> {
                    if (key.startsWith(KAFKA_PREFIX)) {
                        kafka.put(key.substring(KAFKA_PREFIX.length()), setting.value());
                    } else if (key.startsWith(SERDE_PREFIX)) {
                        serde.put(key.substring(SERDE_PREFIX.length()), setting.value());
                    } else {
                        validate(key, setting);
                        knobs.put(key, setting.value());
                    }
                });
        return new ClassifierConfig(merged, knobs, kafka, serde);
    }

    /** {@code INCEPTION_} + the upper-snake of {@code key}: the one environment name per knob. */
    public static String environmentVariable(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static Optional<String> keyOfEnvironmentVariable(String variable) {
        if (!variable.startsWith(ENV_PREFIX) || LAUNCHER_VARIABLES.contains(variable)) {
            return Optional.empty();
        }
        for (String name : DEFINITION.names()) {
            if (environmentVariable(name).equals(variable)) {
                return Optional.of(name);
            }
        }
        String rest = variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
        if (rest.startsWith("kafka_") || rest.startsWith("serde_")) {
            return Optional.of(rest.replace('_', '.'));
        }
        // An INCEPTION_ variable naming no knob is a typo worth failing on, like an unknown key.
        return Optional.of(variable);
    }

    private static void validate(String key, Setting setting) {
        ConfigDef.ConfigKey knob = DEFINITION.configKeys().get(key);
        if (knob == null) {
            throw new ConfigException(
                    "Unknown configuration key '"
                            + key
                            + "' (from "
                            + setting.source()
                            + "); known keys are "
                            + DEFINITION.names()
                            + ", plus kafka.* and serde.* pass-through keys");
        }
        try {
            Object parsed = ConfigDef.parseType(key, setting.value(), knob.type);
            if (knob.validator != null) {
                knob.validator.ensureValid(key, parsed);
            }
        } catch (ConfigException e) {
            throw new ConfigException(e.getMessage() + " (from " + setting.source() + ")");
        }
    }

    private record Setting(String value, String source) {}

    public String imagesTopic() {
        return getString(IMAGES_TOPIC);
    }

    public String labelsTopic() {
        return getString(LABELS_TOPIC);
    }

    /** Where the shadow model's labels go. */
    public String shadowLabelsTopic() {
        return getString(SHADOW_LABELS_TOPIC);
    }

    /** The control topic of model deployments; empty when rollouts are off. */
    public String modelsTopic() {
        return getString(MODELS_TOPIC).strip();
    }

    public String dlqTopic() {
        return getString(DLQ_TOPIC);
    }

    public String modelBundle() {
        return getString(MODEL_BUNDLE);
    }

    public String device() {
        return getString(DEVICE);
    }

    public int maxBatchSize() {
        return getInt(MAX_BATCH_SIZE);
    }

    public Duration maxBatchDelay() {
        return Duration.ofMillis(getLong(MAX_BATCH_DELAY_MS));
    }

    public int topK() {
        return getInt(TOP_K);
    }

    public int preprocessThreads() {
        return getInt(PREPROCESS_THREADS);
    }

    public int maxInFlightPerTask() {
        return getInt(MAX_IN_FLIGHT_PER_TASK);
    }

    public Duration imageTimeout() {
        return Duration.ofMillis(getLong(IMAGE_TIMEOUT_MS));
    }

    public Duration forwardInterval() {
        return Duration.ofMillis(getLong(FORWARD_INTERVAL_MS));
    }

    public ImageLimits imageLimits() {
        return new ImageLimits(
                getLong(IMAGE_MAX_BYTES),
                getLong(IMAGE_MAX_PIXELS),
                getLong(IMAGE_MAX_DECODED_BYTES));
    }

    public List<Path> referenceFileRoots() {
        return getList(REFERENCE_FILE_ROOTS).stream().map(Path::of).toList();
    }

    public boolean referenceHttpEnabled() {
        return getBoolean(REFERENCE_HTTP_ENABLED);
    }

    public boolean referenceHttpAllowPrivate() {
        return getBoolean(REFERENCE_HTTP_ALLOW_PRIVATE);
    }

    public Duration referenceHttpTimeout() {
        return Duration.ofMillis(getLong(REFERENCE_HTTP_TIMEOUT_MS));
    }

    public String processingGuarantee() {
        return getString(PROCESSING_GUARANTEE);
    }

    /** The off-heap budget of the instance's RocksDB stores, in bytes; 0 for Kafka's defaults. */
    public long rocksDbMemoryBytes() {
        return getLong(ROCKSDB_MEMORY_BYTES);
    }

    public int httpPort() {
        return getInt(HTTP_PORT);
    }

    public Duration startupTimeout() {
        return Duration.ofMillis(getLong(STARTUP_TIMEOUT_MS));
    }

    public int healthMaxThreadReplacements() {
        return getInt(HEALTH_MAX_THREAD_REPLACEMENTS);
    }

    public Duration healthThreadReplacementWindow() {
        return Duration.ofMillis(getLong(HEALTH_THREAD_REPLACEMENT_WINDOW_MS));
    }

    public Duration healthMaxPendingAge() {
        return Duration.ofMillis(getLong(HEALTH_MAX_PENDING_AGE_MS));
    }

    public Duration healthMaxRegistryOutage() {
        return Duration.ofMillis(getLong(HEALTH_MAX_REGISTRY_OUTAGE_MS));
    }

    /** The bootstrap servers as Kafka clients take them: host:port, comma-separated. */
    public String bootstrapServers() {
        return String.join(",", getList(BOOTSTRAP_SERVERS));
    }

    /**
     * The configuration of the Avro serdes and their registry client, in Confluent's key names: the
     * registry knobs plus every {@code serde.*} pass-through.
     */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> serde = new LinkedHashMap<>(serdePassThrough);
        serde.put(SchemaRegistryClientConfig.URL, getString(SCHEMA_REGISTRY_URL));
        serde.put(BASIC_AUTH_CREDENTIALS_SOURCE, getString(BASIC_AUTH_CREDENTIALS_SOURCE));
        if (getPassword(BASIC_AUTH_USER_INFO) != null) {
            serde.put(BASIC_AUTH_USER_INFO, getPassword(BASIC_AUTH_USER_INFO).value());
        }
        serde.putIfAbsent(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
        // A registry call runs on a stream thread, inside a transaction under exactly-once (10 s
        // by default in Kafka Streams): bounded well below that, where the client's own default
        // is 30 s. After a transient failure the client fails fast for its cool-down.
        serde.putIfAbsent(SchemaRegistryClientConfig.TOTAL_TIMEOUT_MS, SERDE_TOTAL_TIMEOUT_MS);
        return serde;
    }

    /**
     * The properties of a plain Kafka client of the same cluster (the command line's producer and
     * consumer): the bootstrap servers and every {@code kafka.*} pass-through, so security settings
     * apply to them as to the service.
     */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new LinkedHashMap<>(kafkaPassThrough);
        props.putIfAbsent(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /**
     * The {@code kafka.*} pass-through settings, without their prefix: what Kafka Streams is given
     * last, so they may override any property the service sets.
     */
    public Map<String, String> kafkaPassThrough() {
        return kafkaPassThrough;
    }
}
