package io.inceptionstreams.cli;

import io.inceptionstreams.streams.config.ClassifierConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The configuration sources every command shares: a properties file ({@code --config} or {@code
 * $INCEPTION_CONFIG}), {@code INCEPTION_*} environment variables and {@code --set KEY=VALUE}, in
 * increasing precedence (see {@link ClassifierConfig}); the same keys and the same validation for
 * {@code run}, {@code demo} and the clients.
 */
final class ConfigFileOptions {

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "Properties file of configuration keys (default: $"
                            + ClassifierConfig.CONFIG_FILE_VARIABLE
                            + " if set, else none).")
    Path file;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description =
                    "Any configuration key, e.g. --set max.batch.size=32 or --set"
                            + " kafka.security.protocol=SSL; repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    /**
     * The configuration: the built-in defaults, {@code commandDefaults}, the file, the environment,
     * {@code --set}, then {@code flags} (a command's own options; null values are flags not given).
     */
    ClassifierConfig load(Map<String, String> commandDefaults, Map<String, String> flags) {
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        flags.forEach(
                (key, value) -> {
                    if (value != null) {
                        overrides.put(key, value);
                    }
                });
        Map<String, String> environment = System.getenv();
        Path configFile = file;
        if (configFile == null && environment.get(ClassifierConfig.CONFIG_FILE_VARIABLE) != null) {
            configFile = Path.of(environment.get(ClassifierConfig.CONFIG_FILE_VARIABLE));
        }
        return ClassifierConfig.load(commandDefaults, configFile, environment, overrides);
    }
}
