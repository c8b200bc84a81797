package io.inceptionstreams.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.schemas.registry.server.EmbeddedSchemaRegistry;
import io.inceptionstreams.streams.ChildJvm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user does with an existing cluster: {@code run} in a JVM of its own, configured from a
 * file, an environment variable and flags, fed by {@code produce} and read by {@code consume}.
 */
@Timeout(300)
class RunCommandProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IMAGES = 20;
    private static final Pattern STARTED =
            Pattern.compile("health and metrics on http://localhost:(\\d+)");

    @TempDir Path dir;
    private Process service;

    @AfterEach
    void stop() throws Exception {
        if (service != null && service.isAlive()) {
            service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldClassifyWhatProduceSendsAndConsumeReadsThenStopOnSigterm() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start();
                EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry().start()) {
            // Given the three topics, and the service configured from a file (application id),
            // the environment (batch size) and flags (topics, addresses, any free port)
            kafka.createTopics(2, "photos", "photo-labels", "photo-dlq");
            Path config = dir.resolve("inception.properties");
            Files.writeString(config, "application.id=run-test\ndevice=cpu\n");
            String[] connection = {"-b", kafka.bootstrapServers(), "-r", registry.url()};
            ProcessBuilder run =
                    ChildJvm.builder(
                            dir,
                            InceptionStreams.class.getName(),
                            "run",
                            "--config",
                            config.toString(),
                            connection[0],
                            connection[1],
                            connection[2],
                            connection[3],
                            "--set",
                            "images.topic=photos",
                            "--set",
                            "labels.topic=photo-labels",
                            "--set",
                            "dlq.topic=photo-dlq",
                            "--set",
                            "kafka.state.dir=" + dir.resolve("state"),
                            "--http-port",
                            "0");
            run.environment().put("INCEPTION_MAX_BATCH_SIZE", "4");
            service =
                    run.redirectErrorStream(true)
                            .redirectOutput(dir.resolve("run.log").toFile())
                            .start();
            awaitHealthy(awaitHttpPort());

            // When Fashion-MNIST test images are produced and the labels consumed
            CommandResult produced =
                    CommandResult.run(
                            "produce",
                            connection[0],
                            connection[1],
                            connection[2],
                            connection[3],
                            "--topic",
                            "photos",
                            "--fashion-mnist",
                            "--limit",
                            Integer.toString(IMAGES));
            CommandResult consumed =
                    CommandResult.run(
                            "consume",
                            connection[0],
                            connection[1],
                            connection[2],
                            connection[3],
                            "--topic",
                            "photo-labels",
                            "--from-beginning",
                            "--json",
                            "--max",
                            Integer.toString(IMAGES),
                            "--timeout",
                            "120s");

            // Then every image has a label with its true label beside it, from batches the
            // environment's batch size bounds, in the consumer group the file names
            assertThat(produced.exitCode()).as(produced.err()).isZero();
            assertThat(produced.out()).contains("sent " + IMAGES + " images to topic 'photos'");
            assertThat(consumed.exitCode()).as(consumed.err()).isZero();
            List<JsonNode> labels = consumed.outLines().stream().map(this::parse).toList();
            assertThat(labels)
                    .extracting(label -> label.get("image_id").asText())
                    .containsExactlyInAnyOrderElementsOf(
                            java.util.stream.IntStream.range(0, IMAGES)
                                    .mapToObj(i -> String.format("fashion-mnist-test-%05d", i))
                                    .toList());
            for (JsonNode label : labels) {
                assertThat(label.get("attributes").get("label").asText()).isNotBlank();
                assertThat(label.get("batch_size").asInt()).isBetween(1, 4);
            }
            assertThat(consumed.err())
                    .contains(IMAGES + " label events; accuracy ")
                    .contains("with a true label");
            try (Admin admin = kafka.admin()) {
                assertThat(admin.listGroups().all().get(30, TimeUnit.SECONDS))
                        .extracting(GroupListing::groupId)
                        .contains("run-test");
            }

            // And SIGTERM stops it: a clean shutdown, the endpoints gone
            service.destroy();
            assertThat(service.waitFor(60, TimeUnit.SECONDS)).as("stopped").isTrue();
            assertThat(Files.readString(dir.resolve("run.log"))).doesNotContain("ERROR");
        }
    }

    private JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    /** The port the service bound, from the line it prints once it has started. */
    private int awaitHttpPort() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            String log = Files.readString(dir.resolve("run.log"));
            Matcher started = STARTED.matcher(log);
            if (started.find()) {
                return Integer.parseInt(started.group(1));
            }
            assertThat(service.isAlive()).as("run exited early: %s", log).isTrue();
            Thread.sleep(250);
        }
        throw new AssertionError("never started: " + Files.readString(dir.resolve("run.log")));
    }

    private void awaitHealthy(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health =
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/health"))
                        .timeout(Duration.ofSeconds(5))
                        .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            assertThat(service.isAlive())
                    .as("run exited early: %s", Files.readString(dir.resolve("run.log")))
                    .isTrue();
            try {
                if (http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // The endpoints start with the service.
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not healthy: " + Files.readString(dir.resolve("run.log")));
    }
}
