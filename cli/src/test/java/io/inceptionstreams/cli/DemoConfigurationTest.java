package io.inceptionstreams.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.streams.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo} reads its configuration as {@code run} does: the same sources and validation. */
@Timeout(120)
class DemoConfigurationTest {
    @TempDir Path dir;

    @Test
    void shouldRunTheDemoUnderTheGuaranteeSetWithSet() {
        // When the demo is given a knob with --set, as run would be
        CommandResult result =
                CommandResult.run(
                        "demo",
                        "--images",
                        "0",
                        "--http-port",
                        "-1",
                        "--set",
                        "processing.guarantee=at_least_once");

        // Then it runs under that setting and stops cleanly
        assertThat(result.exitCode()).as(result.err()).isEqualTo(InceptionStreams.EXIT_OK);
        assertThat(result.err()).contains("the classifier (at_least_once)...");
    }

    @Test
    void shouldRefuseAMisspeltInceptionVariableBeforeStartingAnything() throws Exception {
        // Given a typo in an INCEPTION_ variable (max.batch.size without its last letter)
        ProcessBuilder demo =
                ChildJvm.builder(dir, InceptionStreams.class.getName(), "demo", "--images", "0");
        demo.environment().put("INCEPTION_MAX_BATCH_SIZ", "3");

        // When the demo starts
        Process process = demo.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = new String(process.getErrorStream().readAllBytes(), UTF_8);

        // Then it exits with the usage code, naming the variable, as run does
        assertThat(process.exitValue()).as(err).isEqualTo(InceptionStreams.EXIT_USAGE);
        assertThat(err).contains("INCEPTION_MAX_BATCH_SIZ").doesNotContain("starting Kafka");
    }

    @Test
    void shouldKeepItsStateOutOfTheOsTempDirectoryAndDeleteIt() throws Exception {
        // Given a JVM whose temp directory and user cache directory are both the test's own
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = dir.resolve("cache");
        ProcessBuilder demo =
                ChildJvm.builder(
                        dir,
                        InceptionStreams.class.getName(),
                        List.of("-Xmx512m", "-Djava.io.tmpdir=" + tmp),
                        "demo",
                        "--images",
                        "0",
                        "--http-port",
                        "-1");
        demo.environment().put("XDG_CACHE_HOME", cache.toString());

        // When the demo runs
        Process process = demo.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(process.getErrorStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();

        // Then Kafka Streams has nothing to warn about its state directory, which is gone after
        assertThat(process.exitValue()).as(err).isEqualTo(InceptionStreams.EXIT_OK);
        assertThat(err).contains("starting Kafka").doesNotContain("OS temp directory");
        try (Stream<Path> left = Files.list(cache.resolve("inception-streams"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void shouldUseTheCacheDirectoryOfTheXdgVariableOrTheHomeDirectory() {
        Path home = Path.of("/home/someone");
        assertThat(DemoCommand.stateParent(Map.of(), home))
                .isEqualTo(Path.of("/home/someone/.cache/inception-streams"));
        assertThat(DemoCommand.stateParent(Map.of("XDG_CACHE_HOME", "/var/cache/me"), home))
                .isEqualTo(Path.of("/var/cache/me/inception-streams"));
        // The XDG specification says to ignore a relative path
        assertThat(DemoCommand.stateParent(Map.of("XDG_CACHE_HOME", "cache"), home))
                .isEqualTo(Path.of("/home/someone/.cache/inception-streams"));
    }
}
