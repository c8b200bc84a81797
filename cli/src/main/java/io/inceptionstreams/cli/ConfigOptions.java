package io.inceptionstreams.cli;

import io.inceptionstreams.streams.config.ClassifierConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where a command finds Kafka, the registry and every other setting: the shared configuration
 * sources ({@link ConfigFileOptions}) plus flags for the two addresses.
 */
final class ConfigOptions {

    @Mixin ConfigFileOptions sources;

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

    /**
     * The configuration: defaults, file, environment, then {@code --set} and the flags, with {@code
     * commandOverrides} (a command's own flags, null values ignored) on top.
     */
    ClassifierConfig load(Map<String, String> commandOverrides) {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(ClassifierConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        flags.put(ClassifierConfig.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
        flags.putAll(commandOverrides);
        return sources.load(Map.of(), flags);
    }

    /**
     * A command's flags as configuration overrides: key, value, key, value...; flags not given
     * (null) are left out.
     */
    static Map<String, String> flags(Object... keysAndValues) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                flags.put((String) keysAndValues[i], keysAndValues[i + 1].toString());
            }
        }
        return flags;
    }
}
