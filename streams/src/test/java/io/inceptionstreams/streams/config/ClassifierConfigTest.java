package io.inceptionstreams.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierConfigTest {
    @TempDir Path dir;

    private Path file(String... lines) throws Exception {
        return Files.write(dir.resolve("classifier.properties"), java.util.List.of(lines));
    }

    @Test
    void shouldApplyOverridesOverEnvironmentOverFileOverDefaults() throws Exception {
        // Given the same knobs set at several levels
        Path file = file("max.batch.size=2", "top.k=2", "device=cpu");
        Map<String, String> env = Map.of("INCEPTION_MAX_BATCH_SIZE", "3", "INCEPTION_TOP_K", "3");
        Map<String, String> overrides = Map.of("max.batch.size", "4");

        // When loaded
        ClassifierConfig config = ClassifierConfig.load(file, env, overrides);

        // Then each takes its highest-precedence value
        assertThat(config.maxBatchSize()).isEqualTo(4);
        assertThat(config.topK()).isEqualTo(3);
        assertThat(config.device()).isEqualTo("cpu");
        assertThat(config.maxInFlightPerTask()).isEqualTo(64);
    }

    @Test
    void shouldNameEnvironmentVariablesInceptionPlusUpperSnakeKey() {
        assertThat(ClassifierConfig.environmentVariable("max.batch.delay.ms"))
                .isEqualTo("INCEPTION_MAX_BATCH_DELAY_MS");
        ClassifierConfig config =
                ClassifierConfig.load(
                        null,
                        Map.of("INCEPTION_MAX_BATCH_DELAY_MS", "7", "PATH", "/bin"),
                        Map.of());
        assertThat(config.maxBatchDelay().toMillis()).isEqualTo(7);
    }

    @Test
    void shouldPassKafkaAndSerdePrefixedKeysThrough() throws Exception {
        ClassifierConfig config =
                ClassifierConfig.load(
                        file(
                                "kafka.commit.interval.ms=250",
                                "serde.schema.registry.request.timeout.ms=99"),
                        Map.of("INCEPTION_KAFKA_STATE_DIR", "/tmp/x"),
                        Map.of("processing.guarantee", "exactly_once_v2", "images.topic", "in"));
        assertThat(config.kafkaPassThrough())
                .containsEntry("commit.interval.ms", "250")
                .containsEntry("state.dir", "/tmp/x");
        assertThat(config.processingGuarantee()).isEqualTo("exactly_once_v2");
        assertThat(config.serdeConfig()).containsEntry("schema.registry.request.timeout.ms", "99");
        assertThat(config.imagesTopic()).isEqualTo("in");
    }

    @Test
    void shouldRejectABadValueNamingKeyValueAndSource() {
        assertThatThrownBy(
                        () ->
                                ClassifierConfig.load(
                                        null, Map.of("INCEPTION_MAX_BATCH_SIZE", "0"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("max.batch.size")
                .hasMessageContaining("0")
                .hasMessageContaining("environment variable INCEPTION_MAX_BATCH_SIZE");
        assertThatThrownBy(() -> ClassifierConfig.of(Map.of("device", "tpu")))
                .hasMessageContaining("device")
                .hasMessageContaining("tpu")
                .hasMessageContaining("gpu:N");
        assertThatThrownBy(
                        () -> ClassifierConfig.of(Map.of("processing.guarantee", "exactly_once")))
                .hasMessageContaining("processing.guarantee")
                .hasMessageContaining("exactly_once");
        assertThatThrownBy(() -> ClassifierConfig.of(Map.of("top.k", "many")))
                .hasMessageContaining("top.k")
                .hasMessageContaining("many");
    }

    @Test
    void shouldRejectUnknownKeysAsTypos() throws Exception {
        Path file = file("max.bacth.size=3");
        assertThatThrownBy(() -> ClassifierConfig.load(file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("max.bacth.size")
                .hasMessageContaining(file.toString());
    }

    @Test
    void shouldLeaveTheLaunchersOwnVariablesAlone() {
        ClassifierConfig config =
                ClassifierConfig.load(
                        null,
                        Map.of(
                                "INCEPTION_CONFIG", "/etc/inception.properties",
                                "INCEPTION_JAVA_OPTS", "-Xmx2g",
                                "INCEPTION_HTTP_PORT", "9090"),
                        Map.of());

        assertThat(config.httpPort()).isEqualTo(9090);
    }

    @Test
    void shouldRejectAnHttpPortBelowMinusOne() {
        assertThatThrownBy(() -> ClassifierConfig.of(Map.of("http.port", "-2")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port");
    }

    @Test
    void shouldDescribeEveryKnob() {
        for (ConfigDef.ConfigKey key : ClassifierConfig.DEFINITION.configKeys().values()) {
            assertThat(key.documentation).as(key.name).isNotBlank();
            assertThat(key.name)
                    .as("knob names use dots only, so env names map back")
                    .matches("[a-z0-9.]+");
        }
    }
}
