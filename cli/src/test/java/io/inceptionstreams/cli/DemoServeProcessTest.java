package io.inceptionstreams.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.model.fashionmnist.FashionMnist;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.ChildJvm;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.config.ClassifierConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo --serve} in a JVM of its own, joined by plain Kafka clients through the addresses it
 * prints, as a user's own producer and consumer would.
 */
@Timeout(240)
class DemoServeProcessTest {
    private static final int IMAGES = 12;

    @TempDir Path dir;
    private Process demo;

    @AfterEach
    void stopDemo() throws Exception {
        if (demo != null && demo.isAlive()) {
            demo.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldServeAnyKafkaClientAtTheAddressesItPrintsAndStopOnSigterm() throws Exception {
        demo =
                ChildJvm.builder(
                                dir,
                                InceptionStreams.class.getName(),
                                "demo",
                                "--serve",
                                "--images",
                                "0",
                                "--device",
                                "cpu")
                        .redirectError(dir.resolve("demo.err").toFile())
                        .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader =
                new Thread(
                        () -> {
                            try (BufferedReader out =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    demo.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                out.lines().forEach(lines::add);
                            } catch (Exception e) {
                                lines.add("reader failed: " + e);
                            }
                        });
        reader.setDaemon(true);
        reader.start();

        // The first two lines are the addresses; then the HTTP endpoints
        String bootstrap = valueOf(lines.poll(180, TimeUnit.SECONDS), "bootstrap.servers");
        String registry = valueOf(lines.poll(60, TimeUnit.SECONDS), "schema.registry.url");
        String health = valueOf(lines.poll(120, TimeUnit.SECONDS), "health.url");
        String metrics = valueOf(lines.poll(10, TimeUnit.SECONDS), "metrics.url");
        assertThat(bootstrap).matches("[\\w.\\-]+:\\d+");
        assertThat(registry).startsWith("http://");

        // A plain producer with the serde, as any client would
        Map<String, Object> serde = Map.of(ClassifierConfig.SCHEMA_REGISTRY_URL, registry);
        Set<String> ids = new HashSet<>();
        try (SpecificAvroSerde<ImageEvent> images = new SpecificAvroSerde<>();
                KafkaProducer<String, ImageEvent> producer = producer(bootstrap, images, serde)) {
            for (int i = 0; i < IMAGES; i++) {
                String id = "client-" + i;
                ids.add(id);
                producer.send(new ProducerRecord<>("images", id, TestImages.sample(id, i)));
            }
        }
        Map<String, LabelEvent> labels = new HashMap<>();
        try (SpecificAvroSerde<LabelEvent> labelSerde = new SpecificAvroSerde<>();
                KafkaConsumer<String, LabelEvent> consumer =
                        consumer(bootstrap, labelSerde, serde)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (labels.size() < IMAGES && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, LabelEvent> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    labels.put(record.key(), record.value());
                }
            }
        }
        assertThat(labels.keySet()).isEqualTo(ids);
        for (LabelEvent label : labels.values()) {
            assertThat(label.getLabels()).hasSize(5);
            assertThat(FashionMnist.CLASS_NAMES)
                    .contains(label.getLabels().get(0).getLabel().toString());
        }

        // Health and metrics answer while it serves
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> up = get(http, health);
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        assertThat(up.body()).startsWith("UP: kafka streams RUNNING");
        assertThat(get(http, metrics).body())
                .contains("inception_images_out_total " + IMAGES + ".0");

        // SIGTERM stops it cleanly
        demo.destroy();
        assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    private static String valueOf(String line, String key) {
        assertThat(line).as("expected a line %s=...", key).isNotNull().startsWith(key + "=");
        return line.substring(key.length() + 1);
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static KafkaProducer<String, ImageEvent> producer(
            String bootstrap, SpecificAvroSerde<ImageEvent> serde, Map<String, Object> config) {
        serde.configure(config, false);
        return new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new StringSerializer(),
                serde.serializer());
    }

    private static KafkaConsumer<String, LabelEvent> consumer(
            String bootstrap, SpecificAvroSerde<LabelEvent> serde, Map<String, Object> config) {
        serde.configure(config, false);
        KafkaConsumer<String, LabelEvent> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                "bootstrap.servers",
                                bootstrap,
                                "group.id",
                                "client-" + UUID.randomUUID(),
                                "auto.offset.reset",
                                "earliest"),
                        new StringDeserializer(),
                        serde.deserializer());
        consumer.subscribe(List.of("labels"));
        return consumer;
    }
}
