package io.inceptionstreams.streams.cli;

import io.inceptionstreams.streams.config.ClassifierConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where a command finds Kafka, the registry and every other setting: a properties file, {@code
 * INCEPTION_*} environment variables and flags, in increasing precedence (see {@link
 * ClassifierConfig}).
 */
final class ConfigOptions {

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "Properties file of configuration keys (default: $"
                            + ClassifierConfig.CONFIG_FILE_VARIABLE
                            + " if set, else none).")
    Path file;

    @Option(
            names = {"-b", "--bootstrap-servers"},
            paramLabel = "HOST:PORT",
            description = "Kafka brokers (key bootstrap.servers; default localhost:9092).")
    String bootstrapServers;

    @Option(
            names = {"-r", "--schema-registry-url"},
            paramLabel = "URL",
            description =
                    "Schema registry (key schema.registry.url; default http://localhost:8081).")
    String schemaRegistryUrl;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description =
                    "Any configuration key, e.g. --set max.batch.size=32 or --set"
                            + " kafka.security.protocol=SSL; repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    /**
     * The configuration: defaults, file, environment, then {@code --set} and the flags, with {@code
     * commandOverrides} (a command's own flags, null values ignored) on top.
     */
    ClassifierConfig load(Map<String, String> commandOverrides) {
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        putIfSet(overrides, ClassifierConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        putIfSet(overrides, ClassifierConfig.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
        commandOverrides.forEach((key, value) -> putIfSet(overrides, key, value));
        Map<String, String> environment = System.getenv();
        Path configFile = file;
        if (configFile == null && environment.get(ClassifierConfig.CONFIG_FILE_VARIABLE) != null) {
            configFile = Path.of(environment.get(ClassifierConfig.CONFIG_FILE_VARIABLE));
        }
        return ClassifierConfig.load(configFile, environment, overrides);
    }

    /**
     * A command's flags as configuration overrides: key, value, key, value...; flags not given
     * (null) are left out.
     */
    static Map<String, String> flags(Object... keysAndValues) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            putIfSet(flags, (String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return flags;
    }

    /** Adds {@code key=value} unless {@code value} is null (a flag not given). */
    private static void putIfSet(Map<String, String> map, String key, Object value) {
        if (value != null) {
            map.put(key, value.toString());
        }
    }
}
