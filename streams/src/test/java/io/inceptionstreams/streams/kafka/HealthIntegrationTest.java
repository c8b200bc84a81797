package io.inceptionstreams.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.registry.MockSchemaRegistry;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.ClassifierService;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.engine.AsyncImageClassifier;
import io.inceptionstreams.streams.http.StatusServer;
import io.inceptionstreams.streams.kafka.IntegrationFixtures.Topics;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /health} tells the truth about failure loops: a service whose stream threads keep failing,
 * or whose oldest image never completes, answers 503 with the reason, on a real broker.
 */
@Timeout(120)
class HealthIntegrationTest {
    private static final String SCOPE = HealthIntegrationTest.class.getSimpleName();
    private static EmbeddedKafkaCluster kafka;
    private ClassifierService service;
    private StatusServer http;

    @BeforeAll
    static void startCluster() throws Exception {
        kafka = EmbeddedKafkaCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        kafka.close();
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
        if (service != null) {
            service.close();
        }
    }

    @Test
    void shouldAnswer503WhenStreamThreadsKeepFailingAndBeingReplaced() throws Exception {
        // Given an engine that fails every image (its fault, not the images'), and a bound of one
        // replacement
        Topics topics = Topics.create(kafka, "health-loop");
        start(
                topics,
                event -> CompletableFuture.failedFuture(new IllegalStateException("device lost")),
                Map.of(ClassifierConfig.HEALTH_MAX_THREAD_REPLACEMENTS, "1"));

        // When an image arrives, the task fails, is retried, fails again...
        produce(topics, "looping");

        // Then /health turns DOWN, naming the replacements
        String body = awaitDown();
        assertThat(body).contains("stream thread replacements");
    }

    @Test
    void shouldAnswer503WhenAnImageStaysInFlightLongerThanTheBound() throws Exception {
        // Given an engine that never completes an image, and a pending-age bound of 2 s (with an
        // image timeout far beyond it)
        Topics topics = Topics.create(kafka, "health-stuck");
        start(
                topics,
                event -> new CompletableFuture<>(),
                Map.of(
                        ClassifierConfig.HEALTH_MAX_PENDING_AGE_MS,
                        "2000",
                        ClassifierConfig.IMAGE_TIMEOUT_MS,
                        "600000"));
        assertThat(status().statusCode()).isEqualTo(200);

        // When an image arrives and never finishes
        produce(topics, "stuck");

        // Then /health turns DOWN within the bound (plus polling), naming the age
        String body = awaitDown();
        assertThat(body).contains("in flight");
    }

    private void start(Topics topics, ScriptedEngine engine, Map<String, String> overrides)
            throws Exception {
        Map<String, String> settings = new HashMap<>(overrides);
        settings.put(ClassifierConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(ClassifierConfig.SCHEMA_REGISTRY_URL, "mock://" + SCOPE);
        settings.put(ClassifierConfig.APPLICATION_ID, topics.app());
        settings.put(ClassifierConfig.IMAGES_TOPIC, topics.images());
        settings.put(ClassifierConfig.LABELS_TOPIC, topics.labels());
        settings.put(ClassifierConfig.DLQ_TOPIC, topics.dlq());
        settings.put(ClassifierConfig.KAFKA_PREFIX + "replication.factor", "1");
        settings.put(ClassifierConfig.KAFKA_PREFIX + "auto.offset.reset", "earliest");
        settings.put(
                ClassifierConfig.KAFKA_PREFIX + "state.dir",
                java.nio.file.Files.createTempDirectory("health-").toString());
        ClassifierConfig config = ClassifierConfig.of(settings);
        service =
                ClassifierService.start(
                        config, engine, new ClassifierMetrics(new SimpleMeterRegistry()));
        http = StatusServer.start(0, service::health, () -> "");
        assertThat(service.awaitRunning(Duration.ofSeconds(60))).isTrue();
    }

    private static void produce(Topics topics, String id) {
        SpecificAvroSerde<ImageEvent> serde = new SpecificAvroSerde<>();
        serde.configure(Map.of("schema.registry.url", "mock://" + SCOPE), false);
        try (KafkaProducer<byte[], byte[]> producer = IntegrationFixtures.producer(kafka)) {
            producer.send(
                    new ProducerRecord<>(
                            topics.images(),
                            id.getBytes(StandardCharsets.UTF_8),
                            serde.serializer()
                                    .serialize(topics.images(), TestImages.sample(id, 0))));
        }
    }

    private String awaitDown() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> response = status();
        while (response.statusCode() == 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            response = status();
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        return response.body();
    }

    private HttpResponse<String> status() throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://localhost:" + http.port() + "/health"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    /** An engine whose every image gets the future the test scripts. */
    @FunctionalInterface
    private interface ScriptedEngine extends AsyncImageClassifier {
        @Override
        default String modelName() {
            return "scripted";
        }

        @Override
        default String modelVersion() {
            return "1";
        }
    }
}
