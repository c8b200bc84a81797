package io.inceptionstreams.streams.kafka;

import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.ChildJvm;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.engine.ImageReferenceResolver;
import io.inceptionstreams.streams.engine.InferenceEngine;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the broker-backed tests share: per-test topics and a small real inference engine. */
final class IntegrationFixtures {

    private IntegrationFixtures() {}

    /** One test's topics (3 partitions each) and a unique application id. */
    record Topics(String images, String labels, String dlq, String app) {

        static Topics create(EmbeddedKafkaCluster kafka, String name) throws Exception {
            return create(kafka, name, 1);
        }

        /** The topics with {@code replicationFactor} replicas of each partition. */
        static Topics create(EmbeddedKafkaCluster kafka, String name, int replicationFactor)
                throws Exception {
            Topics topics =
                    new Topics(
                            name + "-images",
                            name + "-labels",
                            name + "-dlq",
                            name + "-app-" + UUID.randomUUID());
            kafka.createTopics(
                    3, replicationFactor, topics.images(), topics.labels(), topics.dlq());
            return topics;
        }
    }

    /**
     * An engine on {@code bundle} (top-2 labels, CPU) that reads file references under {@code
     * fileRoot} and rejects images over 10,000 pixels, so a test can build a "too many pixels"
     * image cheaply.
     */
    static InferenceEngine engine(ModelBundle bundle, Path fileRoot, int maxBatchSize)
            throws Exception {
        return new InferenceEngine(
                ImageClassifier.open(bundle, "cpu", 2),
                new ImageReferenceResolver(
                        List.of(fileRoot),
                        false,
                        Duration.ofSeconds(1),
                        ImageLimits.defaults().maxEncodedBytes()),
                new ImageLimits(ImageLimits.defaults().maxEncodedBytes(), 10_000),
                new InferenceEngine.BatchPolicy(maxBatchSize, Duration.ofMillis(20)),
                2,
                new ClassifierMetrics(new SimpleMeterRegistry()));
    }

    /**
     * The settings of an instance of {@code topics}' application on the small {@code bundle} (CPU,
     * top-2, batches of 8, 16 in flight per task, 10,000 pixels at most), tuned for tests: commits
     * every 300 ms, a vanished member leaves the group and its open transaction is aborted within
     * about 6 s, internal topics with one replica.
     */
    static Map<String, String> settings(
            EmbeddedKafkaCluster kafka,
            String registryUrl,
            ModelBundle bundle,
            Topics topics,
            String guarantee,
            Path stateDir)
            throws IOException {
        Map<String, String> settings = new HashMap<>();
        settings.put(ClassifierConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(ClassifierConfig.SCHEMA_REGISTRY_URL, registryUrl);
        settings.put(ClassifierConfig.APPLICATION_ID, topics.app());
        settings.put(ClassifierConfig.IMAGES_TOPIC, topics.images());
        settings.put(ClassifierConfig.LABELS_TOPIC, topics.labels());
        settings.put(ClassifierConfig.DLQ_TOPIC, topics.dlq());
        settings.put(ClassifierConfig.PROCESSING_GUARANTEE, guarantee);
        settings.put(ClassifierConfig.MODEL_BUNDLE, bundle.location());
        settings.put(ClassifierConfig.DEVICE, "cpu");
        settings.put(ClassifierConfig.TOP_K, "2");
        settings.put(ClassifierConfig.MAX_BATCH_SIZE, "8");
        settings.put(ClassifierConfig.IMAGE_MAX_PIXELS, "10000");
        settings.put(ClassifierConfig.MAX_IN_FLIGHT_PER_TASK, "16");
        settings.put("kafka.state.dir", Files.createDirectories(stateDir).toString());
        settings.put("kafka.commit.interval.ms", "300");
        settings.put("kafka.replication.factor", "1");
        settings.put("kafka.auto.offset.reset", "earliest");
        // A member that vanishes leaves the group, and its open transaction is aborted, soon.
        settings.put("kafka.session.timeout.ms", "6000");
        settings.put("kafka.heartbeat.interval.ms", "1000");
        settings.put("kafka.transaction.timeout.ms", "5000");
        return settings;
    }

    /**
     * Starts {@link ClassifierProcess} in a new JVM with this test's classpath and {@code
     * settings}, written to {@code <dir>/<name>.properties}; its output goes to {@link #childLog}.
     */
    static Process startChild(Path dir, String name, Map<String, String> settings)
            throws IOException {
        return startChild(dir, name, settings, List.of("-Xmx512m"));
    }

    /** As {@link #startChild(Path, String, Map)}, in a JVM started with {@code jvmOptions}. */
    static Process startChild(
            Path dir, String name, Map<String, String> settings, List<String> jvmOptions)
            throws IOException {
        Properties properties = new Properties();
        properties.putAll(settings);
        Path file = dir.resolve(name + ".properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            properties.store(out, "test instance " + name);
        }
        return ChildJvm.builder(dir, ClassifierProcess.class.getName(), jvmOptions, file.toString())
                .redirectErrorStream(true)
                .redirectOutput(childLog(dir, name).toFile())
                .start();
    }

    /** Where the output of the child {@code name} started in {@code dir} goes. */
    static Path childLog(Path dir, String name) {
        return dir.resolve(name + ".log");
    }

    /** The image event serde of the producers, on the registry at {@code registryUrl}. */
    static SpecificAvroSerde<ImageEvent> imageSerde(String registryUrl) {
        SpecificAvroSerde<ImageEvent> serde = new SpecificAvroSerde<>();
        serde.configure(Map.of("schema.registry.url", registryUrl), false);
        return serde;
    }

    /**
     * {@code count} good sample images for {@code topic} named {@code <prefix>-<i>}, their ids
     * added to {@code ids}.
     */
    static List<ProducerRecord<byte[], byte[]>> goodImages(
            SpecificAvroSerde<ImageEvent> serde,
            String topic,
            String prefix,
            int count,
            List<String> ids) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + i;
            ids.add(id);
            records.add(
                    new ProducerRecord<>(
                            topic,
                            id.getBytes(StandardCharsets.UTF_8),
                            serde.serializer().serialize(topic, TestImages.sample(id, i))));
        }
        return records;
    }

    /** Writes the keys and values of {@code records} to {@code topic} and waits until acked. */
    static void produce(
            EmbeddedKafkaCluster kafka,
            String topic,
            List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(
                        new ProducerRecord<>(
                                topic, record.partition(), record.key(), record.value()));
            }
            producer.flush();
        }
    }

    /**
     * An idempotent producer of raw key and value bytes (acks=all), one request in flight: with
     * several, a first batch refused while a new topic's leader was still being set up left the
     * next batches out of sequence, which this client version retried for ever.
     */
    static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaCluster kafka) {
        return new KafkaProducer<>(
                Map.of(
                        "bootstrap.servers",
                        kafka.bootstrapServers(),
                        "enable.idempotence",
                        true,
                        "acks",
                        "all",
                        "max.in.flight.requests.per.connection",
                        1),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    /**
     * A consumer in a fresh group, reading committed data only from the start of the labels and
     * dead-letter topics: what a downstream consumer under exactly-once sees.
     */
    static KafkaConsumer<String, byte[]> committedReader(
            EmbeddedKafkaCluster kafka, Topics topics) {
        return committedReader(kafka, topics.labels(), topics.dlq());
    }

    /**
     * A consumer in a fresh group, reading committed data only from the start of {@code topics}.
     */
    static KafkaConsumer<String, byte[]> committedReader(
            EmbeddedKafkaCluster kafka, String... topics) {
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                "bootstrap.servers",
                                kafka.bootstrapServers(),
                                "group.id",
                                "verifier-" + UUID.randomUUID(),
                                "auto.offset.reset",
                                "earliest",
                                "isolation.level",
                                "read_committed"),
                        new StringDeserializer(),
                        new ByteArrayDeserializer());
        consumer.subscribe(List.of(topics));
        return consumer;
    }
}
