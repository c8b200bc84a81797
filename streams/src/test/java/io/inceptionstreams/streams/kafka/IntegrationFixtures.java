package io.inceptionstreams.streams.kafka;

import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.streams.engine.ImageReferenceResolver;
import io.inceptionstreams.streams.engine.InferenceEngine;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the broker-backed tests share: per-test topics and a small real inference engine. */
final class IntegrationFixtures {

    private IntegrationFixtures() {}

    /** One test's topics (3 partitions each) and a unique application id. */
    record Topics(String images, String labels, String dlq, String app) {

        static Topics create(EmbeddedKafkaCluster kafka, String name) throws Exception {
            Topics topics =
                    new Topics(
                            name + "-images",
                            name + "-labels",
                            name + "-dlq",
                            name + "-app-" + UUID.randomUUID());
            kafka.createTopics(3, topics.images(), topics.labels(), topics.dlq());
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
        consumer.subscribe(List.of(topics.labels(), topics.dlq()));
        return consumer;
    }
}
