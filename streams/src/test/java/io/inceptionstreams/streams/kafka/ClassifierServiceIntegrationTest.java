package io.inceptionstreams.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.model.TestNetworks;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.registry.MockSchemaRegistry;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.ClassifierService;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.engine.InferenceEngine;
import io.inceptionstreams.streams.kafka.IntegrationFixtures.Topics;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.inceptionstreams.streams.topology.ClassifierTopology;
import io.inceptionstreams.streams.topology.DeadLetters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service against a real broker: one in-process KRaft cluster for the class, a 3-partition
 * image topic, good images mixed with bad ones of every kind.
 */
@Timeout(120)
class ClassifierServiceIntegrationTest {
    private static final String SCOPE = ClassifierServiceIntegrationTest.class.getSimpleName();
    // 570 good and 30 bad images (5 of each of six kinds): 600 records in all.
    private static final int GOOD = 570;
    private static final int BAD_EVERY = GOOD / 5;
    private static final Duration AWAIT = Duration.ofSeconds(120);
    private static final long ROCKSDB_MEMORY_BYTES = 24L << 20;

    @TempDir static Path shared;
    @TempDir Path dir;
    private static EmbeddedKafkaCluster kafka;
    private static ModelBundle bundle;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        kafka = EmbeddedKafkaCluster.start();
        bundle = TestNetworks.randomBundle(shared.resolve("bundle"), "float32");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        kafka.close();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void shouldLabelEveryGoodImageExactlyOnceAndDeadLetterEveryBadOneUnderExactlyOnce()
            throws Exception {
        // Given two instances of one application, in one JVM, sharing one engine, under EOS
        Topics topics = topics("eos");
        InferenceEngine engine = engine();
        ClassifierMetrics metrics = new ClassifierMetrics(new SimpleMeterRegistry());
        for (String instance : List.of("a", "b")) {
            ClassifierConfig config = config(topics, "exactly_once_v2", instance);
            resources.add(ClassifierService.start(config, engine, metrics));
        }

        // When good and bad images are produced
        Map<String, String> bad = produce(topics);

        // Then, reading committed data only, each good image has exactly one label and each
        // bad one exactly one dead letter, with the reason where the processor gave one
        Map<String, Integer> labels = new TreeMap<>();
        Map<String, String> deadLetters = new TreeMap<>();
        consumeUntil(topics, labels, deadLetters, GOOD, bad.size(), true);
        assertThat(labels)
                .hasSize(GOOD)
                .allSatisfy(
                        (id, count) -> {
                            assertThat(id).startsWith("good-");
                            assertThat(count).as(id).isEqualTo(1);
                        });
        assertThat(deadLetters).isEqualTo(bad);
    }

    @Test
    void shouldLabelEveryGoodImageAtLeastOnceUnderAtLeastOnce() throws Exception {
        // Given two instances of one application sharing one engine, at least once
        Topics topics = topics("alos");
        InferenceEngine engine = engine();
        ClassifierMetrics metrics = new ClassifierMetrics(new SimpleMeterRegistry());
        for (String instance : List.of("a", "b")) {
            ClassifierConfig config = config(topics, "at_least_once", instance);
            resources.add(ClassifierService.start(config, engine, metrics));
        }

        // When good and bad images are produced
        Map<String, String> bad = produce(topics);

        // Then every good image is labelled and every bad one dead-lettered, nothing else
        Map<String, Integer> labels = new TreeMap<>();
        Map<String, String> deadLetters = new TreeMap<>();
        consumeUntil(topics, labels, deadLetters, GOOD, bad.size(), false);
        assertThat(labels.keySet()).hasSize(GOOD).allMatch(id -> id.startsWith("good-"));
        assertThat(deadLetters.keySet()).isEqualTo(bad.keySet());

        // And every pending-store entry is deleted once a producer flush has acknowledged its
        // outputs: the changelog ends with a tombstone for every key it holds
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int live = livePendingEntries(topics);
        while (live > 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            live = livePendingEntries(topics);
        }
        assertThat(live).as("pending entries left in the changelog").isZero();

        // And every pending store's block cache is the instance's budget, not Kafka's 50 MiB
        assertThat(pendingStoreCacheCapacities(topics))
                .isNotEmpty()
                .allSatisfy(capacity -> assertThat(capacity).isEqualTo(ROCKSDB_MEMORY_BYTES));
    }

    /** Kafka Streams' block-cache-capacity of each of the application's pending stores (JMX). */
    private static List<Long> pendingStoreCacheCapacities(Topics topics) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<Long> capacities = new ArrayList<>();
        for (ObjectName store :
                server.queryNames(
                        new ObjectName("kafka.streams:type=stream-state-metrics,*"), null)) {
            if (ClassifierTopology.PENDING_STORE.equals(store.getKeyProperty("rocksdb-state-id"))
                    && store.getKeyProperty("thread-id").startsWith(topics.app())) {
                try {
                    capacities.add(
                            ((Number) server.getAttribute(store, "block-cache-capacity"))
                                    .longValue());
                } catch (InstanceNotFoundException closedSinceTheQuery) {
                    // a task moved while the stores were listed
                }
            }
        }
        return capacities;
    }

    /** Keys of the pending-store changelog whose latest record is not a tombstone. */
    private static int livePendingEntries(Topics topics) {
        String changelog = topics.app() + "-" + ClassifierTopology.PENDING_STORE + "-changelog";
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(changelog).stream()
                            .map(info -> new TopicPartition(changelog, info.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<String, Boolean> liveByKey = new HashMap<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    liveByKey.put(
                            record.partition()
                                    + "/"
                                    + java.util.HexFormat.of().formatHex(record.key()),
                            record.value() != null);
                }
            }
            return (int) liveByKey.values().stream().filter(Boolean::booleanValue).count();
        }
    }

    // --- harness

    private Topics topics(String name) throws Exception {
        return Topics.create(kafka, name);
    }

    private InferenceEngine engine() throws Exception {
        InferenceEngine engine = IntegrationFixtures.engine(bundle, dir, 16);
        resources.add(engine);
        return engine;
    }

    private ClassifierConfig config(Topics topics, String guarantee, String instance)
            throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put(ClassifierConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(ClassifierConfig.SCHEMA_REGISTRY_URL, "mock://" + SCOPE);
        settings.put(ClassifierConfig.APPLICATION_ID, topics.app());
        settings.put(ClassifierConfig.IMAGES_TOPIC, topics.images());
        settings.put(ClassifierConfig.LABELS_TOPIC, topics.labels());
        settings.put(ClassifierConfig.DLQ_TOPIC, topics.dlq());
        settings.put(ClassifierConfig.PROCESSING_GUARANTEE, guarantee);
        settings.put(ClassifierConfig.MAX_IN_FLIGHT_PER_TASK, "32");
        settings.put(ClassifierConfig.ROCKSDB_MEMORY_BYTES, String.valueOf(ROCKSDB_MEMORY_BYTES));
        settings.put(
                "kafka.state.dir",
                Files.createDirectories(dir.resolve("state-" + instance)).toString());
        settings.put("kafka.commit.interval.ms", "200");
        settings.put("kafka.replication.factor", "1");
        settings.put("kafka.auto.offset.reset", "earliest");
        return ClassifierConfig.of(settings);
    }

    /** Produces the good images and 24 bad ones; returns the bad keys and their expected reason. */
    private Map<String, String> produce(Topics topics) throws Exception {
        SpecificAvroSerde<ImageEvent> serde = new SpecificAvroSerde<>();
        serde.configure(Map.of("schema.registry.url", "mock://" + SCOPE), false);
        Path outside =
                Files.write(shared.resolve("outside.png"), TestImages.samples().get(0).bytes());
        Map<String, String> bad = new TreeMap<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < GOOD; i++) {
            String id = "good-" + i;
            records.add(
                    record(
                            topics,
                            id,
                            serde.serializer()
                                    .serialize(topics.images(), TestImages.sample(id, i))));
            if (i % BAD_EVERY == 0) {
                String n = "-" + i;
                bad.put("corrupt" + n, "CORRUPT");
                records.add(
                        record(
                                topics,
                                "corrupt" + n,
                                serde.serializer()
                                        .serialize(
                                                topics.images(),
                                                TestImages.corrupt("corrupt" + n))));
                bad.put("text" + n, "UNSUPPORTED_TYPE");
                records.add(
                        record(
                                topics,
                                "text" + n,
                                serde.serializer()
                                        .serialize(
                                                topics.images(),
                                                TestImages.notAnImage("text" + n))));
                bad.put("huge" + n, "TOO_MANY_PIXELS");
                records.add(
                        record(
                                topics,
                                "huge" + n,
                                serde.serializer()
                                        .serialize(
                                                topics.images(),
                                                TestImages.inline(
                                                        "huge" + n,
                                                        TestImages.png(200),
                                                        "image/png"))));
                bad.put("escape" + n, "REFERENCE_NOT_ALLOWED");
                records.add(
                        record(
                                topics,
                                "escape" + n,
                                serde.serializer()
                                        .serialize(
                                                topics.images(),
                                                TestImages.reference(
                                                        "escape" + n,
                                                        outside.toUri().toString()))));
                bad.put("magic" + n, "UNREADABLE_EVENT");
                records.add(record(topics, "magic" + n, TestImages.wrongMagicByte()));
                bad.put("schema" + n, "UNREADABLE_EVENT");
                records.add(record(topics, "schema" + n, TestImages.unknownSchemaId()));
            }
        }
        try (KafkaProducer<byte[], byte[]> producer = IntegrationFixtures.producer(kafka)) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record);
            }
            producer.flush();
        }
        return bad;
    }

    private static ProducerRecord<byte[], byte[]> record(Topics topics, String key, byte[] value) {
        return new ProducerRecord<>(topics.images(), key.getBytes(StandardCharsets.UTF_8), value);
    }

    /**
     * Reads committed labels and dead letters until the expected counts are reached, then for one
     * more second to see that nothing else follows: no duplicate dead letter under {@code
     * exactlyOnce}, none with another reason otherwise (at least once may write one twice when a
     * task moves between the instances).
     */
    private void consumeUntil(
            Topics topics,
            Map<String, Integer> labels,
            Map<String, String> deadLetters,
            int labelCount,
            int deadLetterCount,
            boolean exactlyOnce) {
        try (KafkaConsumer<String, byte[]> consumer =
                IntegrationFixtures.committedReader(kafka, topics)) {
            long deadline = System.nanoTime() + AWAIT.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(topics.labels())) {
                        labels.merge(record.key(), 1, Integer::sum);
                    } else {
                        Header reason = record.headers().lastHeader(DeadLetters.REASON_HEADER);
                        String value =
                                reason == null
                                        ? "(no reason header)"
                                        : new String(reason.value(), StandardCharsets.UTF_8);
                        String previous = deadLetters.put(record.key(), value);
                        if (exactlyOnce) {
                            assertThat(previous)
                                    .as("duplicate dead letter %s", record.key())
                                    .isNull();
                        } else if (previous != null) {
                            assertThat(value)
                                    .as("dead letter %s again, with another reason", record.key())
                                    .isEqualTo(previous);
                        }
                    }
                }
                if (quietUntil == Long.MAX_VALUE
                        && labels.size() >= labelCount
                        && deadLetters.size() >= deadLetterCount) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
            }
        }
        assertThat(labels).as("labels within %s", AWAIT).hasSizeGreaterThanOrEqualTo(labelCount);
        assertThat(deadLetters)
                .as("dead letters within %s", AWAIT)
                .hasSizeGreaterThanOrEqualTo(deadLetterCount);
    }
}
