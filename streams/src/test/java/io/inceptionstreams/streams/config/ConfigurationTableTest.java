package io.inceptionstreams.streams.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * Keeps the configuration table of docs/configuration.md in step with {@link
 * ClassifierConfig#DEFINITION}: one row per knob, in definition order, with its default,
 * environment variable and description. On a mismatch the message holds the table to paste.
 */
class ConfigurationTableTest {
    private static final Path TABLE_PAGE = Path.of("..", "docs", "configuration.md");
    private static final String HEADER = "| key | default | environment variable | meaning |";

    @Test
    void shouldDocumentEveryKnobWithItsDefaultAndEnvironmentVariable() throws IOException {
        List<String> lines = Files.readAllLines(TABLE_PAGE);
        int header = lines.indexOf(HEADER);
        assertThat(header).as("the configuration table's header in %s", TABLE_PAGE).isNotNegative();
        List<String> documented =
                lines.subList(header + 2, lines.size()).stream()
                        .takeWhile(line -> line.startsWith("|"))
                        .toList();

        String expected = expectedRows();

        assertThat(String.join("\n", documented))
                .as("docs/configuration.md table; expected:%n%s%n", expected)
                .isEqualTo(expected);
    }

    private static String expectedRows() {
        return ClassifierConfig.DEFINITION.configKeys().values().stream()
                .map(ConfigurationTableTest::row)
                .collect(Collectors.joining("\n"));
    }

    private static String row(ConfigDef.ConfigKey key) {
        String defaultValue = defaultOf(key);
        String valid = key.validator == null ? "" : " Valid: " + key.validator + ".";
        return "| `"
                + key.name
                + "` | "
                + (defaultValue.isEmpty() ? "" : "`" + defaultValue + "`")
                + " | `"
                + ClassifierConfig.environmentVariable(key.name)
                + "` | "
                + key.documentation
                + valid
                + " |";
    }

    private static String defaultOf(ConfigDef.ConfigKey key) {
        Object value = key.defaultValue;
        if (value == null) {
            return "";
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }
}
