package io.inceptionstreams.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.ClassifierService;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.engine.AsyncImageClassifier;
import io.inceptionstreams.streams.engine.ClassificationOutcome;
import io.inceptionstreams.streams.engine.InferenceEngine;
import io.inceptionstreams.streams.kafka.IntegrationFixtures.Topics;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.inceptionstreams.streams.topology.ClassifierTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The service through failures and scaling, against one real in-process KRaft broker for the class
 * and 3-partition topics: an instance crashed (killed in its own JVM) and replaced, instances added
 * while images flow, and an engine failure that costs a stream thread.
 */
@Timeout(120)
class ClassifierResilienceIntegrationTest extends BrokerTest {
    private static final Duration AWAIT = Duration.ofSeconds(60);

    @Test
    void shouldLabelEveryImageExactlyOnceWhenACrashedInstanceIsReplacedUnderExactlyOnce()
            throws Exception {
        Crash crash = crashAndReplace("crash", "exactly_once_v2");

        // Then, reading committed data, every good image has exactly one label and every bad one
        // exactly one dead letter, with its reason: nothing lost, nothing duplicated
        assertThat(crash.verifier.labels).containsOnlyKeys(crash.good);
        assertThat(crash.verifier.labels)
                .allSatisfy((id, count) -> assertThat(count).as(id).isOne());
        assertThat(crash.verifier.deadLetters).isEqualTo(crash.bad);
        assertThat(crash.verifier.duplicateDeadLetters).isEmpty();
    }

    @Test
    void shouldLabelEveryImageAtLeastOnceWhenACrashedInstanceIsReplacedUnderAtLeastOnce()
            throws Exception {
        Crash crash = crashAndReplace("alos-crash", "at_least_once");

        // Then every good image has a label and every bad one a dead letter with its reason:
        // nothing lost (those in flight at the crash may have been written twice)
        assertThat(crash.verifier.labels).containsOnlyKeys(crash.good);
        assertThat(crash.verifier.labels)
                .allSatisfy((id, count) -> assertThat(count).as(id).isPositive());
        assertThat(crash.verifier.deadLetters).isEqualTo(crash.bad);
    }

    /** What a crash test saw: the images it sent and what the topics hold afterwards. */
    private record Crash(LabelVerifier verifier, List<String> good, Map<String, String> bad) {}

    /**
     * One instance in its own JVM under {@code guarantee}, good and bad images to classify; it is
     * killed, without any chance to close, once some labels are out; more images arrive while no
     * instance runs; a replacement with a fresh state directory (another host) and the same
     * application id takes over; returns once every image has a label or a dead letter.
     */
    private Crash crashAndReplace(String name, String guarantee) throws Exception {
        Topics topics = topics(name);
        LabelVerifier verifier = verifier(topics);
        Map<String, String> bad = new TreeMap<>();
        List<String> good = new ArrayList<>();
        produce(topics, batch("first", 240, bad, good));
        // The first instance classifies one image at a time per task, so that it is still busy
        // when the kill comes, however fast the machine: a commit then holds a few dozen labels.
        Map<String, String> crashed = settings(topics, guarantee, "crashed");
        crashed.put(ClassifierConfig.MAX_BATCH_SIZE, "1");
        crashed.put(ClassifierConfig.MAX_IN_FLIGHT_PER_TASK, "1");
        child = startChild(crashed);

        verifier.pollUntil(
                () -> verifier.labels.size() >= 10,
                "first labels",
                child,
                IntegrationFixtures.childLog(dir, "child"));
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child killed").isTrue();
        int labelledBeforeCrash = verifier.labels.size();
        assertThat(labelledBeforeCrash).as("crashed mid-stream").isLessThan(good.size());

        produce(topics, batch("second", 30, bad, good));
        resources.add(
                ClassifierService.start(
                        config(settings(topics, guarantee, "replacement")),
                        engine(),
                        new ClassifierMetrics(new SimpleMeterRegistry())));

        verifier.pollUntil(
                () ->
                        verifier.labels.size() >= good.size()
                                && verifier.deadLetters.size() >= bad.size(),
                "all labels and dead letters");
        verifier.pollQuietly(Duration.ofSeconds(1));
        return new Crash(verifier, good, bad);
    }

    @Test
    void shouldLabelEveryImageInInputOrderPerPartitionWhenScalingFromOneToThreeInstances()
            throws Exception {
        // Given one instance, exactly once, and a producer writing image p<partition>-<seq> to
        // each of the 3 partitions in turn, continuously
        Topics topics = topics("scale");
        LabelVerifier verifier = verifier(topics);
        InferenceEngine engine = engine();
        List<ClassifierMetrics> instances = new ArrayList<>();
        startInstance(topics, "a", engine, instances);
        int rounds = 120;
        int total = rounds * 3;
        CompletableFuture<Void> producing =
                CompletableFuture.runAsync(() -> produceContinuously(topics, rounds));
        resources.add(() -> producing.cancel(true));

        // When two more instances join mid-stream
        verifier.pollUntil(() -> verifier.labels.size() >= 15, "first labels");
        startInstance(topics, "b", engine, instances);
        verifier.pollUntil(() -> verifier.labels.size() >= 45, "labels after b joined");
        assertThat(verifier.labels.size()).as("scaled mid-stream").isLessThan(total);
        startInstance(topics, "c", engine, instances);

        // Then every image is labelled exactly once...
        producing.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
        verifier.pollUntil(() -> verifier.labels.size() >= total, "all labels");
        verifier.pollQuietly(Duration.ofSeconds(1));
        assertThat(verifier.labels).hasSize(total);
        assertThat(verifier.labels).allSatisfy((id, count) -> assertThat(count).as(id).isOne());

        // ...the new instances took over work...
        assertThat(imagesIn(instances.get(1)) + imagesIn(instances.get(2)))
                .as("images processed by the instances that joined")
                .isPositive();

        // ...and in input order: labels are keyed by image id, so one input partition's labels
        // spread over the output partitions, and within each output partition the images of
        // each input partition appear in the order they were produced to it
        assertThat(verifier.sequences).isNotEmpty();
        verifier.sequences.forEach(
                (outputAndInput, sequence) ->
                        assertThat(sequence)
                                .as("input sequence of %s", outputAndInput)
                                .isSorted()
                                .doesNotHaveDuplicates());
    }

    @Test
    void shouldLabelAnImageWhoseBatchFailedOnceAfterTheStreamThreadIsReplacedWithoutDeadLetters()
            throws Exception {
        // Given an instance, at least once, whose engine fails the batch of image first-5 once
        // (not the image's fault), and which replaces failed stream threads as the service does
        Topics topics = topics("engine-failure");
        LabelVerifier verifier = verifier(topics);
        FailOnce engine = new FailOnce(engine(), "first-5");
        ClassifierConfig config = config(settings(topics, "at_least_once", "a"));
        KafkaStreams streams =
                new KafkaStreams(
                        ClassifierTopology.buildTopology(
                                config, engine, new ClassifierMetrics(new SimpleMeterRegistry())),
                        ClassifierTopology.streamsProperties(config));
        AtomicInteger replaced = new AtomicInteger();
        streams.setUncaughtExceptionHandler(
                exception -> {
                    replaced.incrementAndGet();
                    return StreamThreadExceptionResponse.REPLACE_THREAD;
                });
        resources.add(() -> streams.close(Duration.ofSeconds(30)));
        streams.start();

        // When 30 good images and some bad ones are classified
        List<String> good = new ArrayList<>();
        Map<String, String> bad = new TreeMap<>();
        produce(topics, batch("first", 30, bad, good));

        // Then the failure cost a stream thread, which was replaced...
        verifier.pollUntil(
                () ->
                        verifier.labels.size() >= good.size()
                                && verifier.deadLetters.size() >= bad.size(),
                "all labels and dead letters");
        verifier.pollQuietly(Duration.ofSeconds(1));
        assertThat(engine.failed()).isTrue();
        assertThat(replaced.get()).isOne();

        // ...every good image, the failed one too, is labelled, and only the bad ones are
        // dead-lettered: not the failed image, not the record being processed when the failure
        // surfaced, and no record without key and value
        assertThat(verifier.labels).containsOnlyKeys(good);
        assertThat(verifier.deadLetters).isEqualTo(bad);
    }

    // --- harness

    private Topics topics(String name) throws Exception {
        return Topics.create(kafka, name);
    }

    private InferenceEngine engine() throws Exception {
        InferenceEngine engine = IntegrationFixtures.engine(bundle, dir, 8);
        resources.add(engine);
        return engine;
    }

    private Map<String, String> settings(Topics topics, String guarantee, String instance)
            throws IOException {
        return IntegrationFixtures.settings(
                kafka, registry.url(), bundle, topics, guarantee, dir.resolve("state-" + instance));
    }

    private static ClassifierConfig config(Map<String, String> settings) {
        return ClassifierConfig.of(settings);
    }

    private void startInstance(
            Topics topics, String name, InferenceEngine engine, List<ClassifierMetrics> metrics)
            throws IOException {
        ClassifierMetrics instanceMetrics = new ClassifierMetrics(new SimpleMeterRegistry());
        metrics.add(instanceMetrics);
        resources.add(
                ClassifierService.start(
                        config(settings(topics, "exactly_once_v2", name)),
                        engine,
                        instanceMetrics));
    }

    private static double imagesIn(ClassifierMetrics metrics) {
        return metrics.registry().get("inception.images.in").counter().count();
    }

    private Process startChild(Map<String, String> settings) throws IOException {
        return IntegrationFixtures.startChild(dir, "child", settings);
    }

    /**
     * Builds a batch of images: {@code good} good ones named {@code <prefix>-<i>}, and after the
     * first and the last a corrupt one, a non-image and an unreadable record, recorded in {@code
     * bad} with their expected reason.
     */
    private List<ProducerRecord<byte[], byte[]>> batch(
            String prefix, int goodCount, Map<String, String> bad, List<String> good) {
        SpecificAvroSerde<ImageEvent> serde = serde();
        String topic = "unused";
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < goodCount; i++) {
            String id = prefix + "-" + i;
            good.add(id);
            records.add(record(id, serde.serializer().serialize(topic, TestImages.sample(id, i))));
            if (i == 0 || i == goodCount - 1) {
                String corrupt = prefix + "-corrupt-" + i;
                bad.put(corrupt, "CORRUPT");
                records.add(
                        record(
                                corrupt,
                                serde.serializer().serialize(topic, TestImages.corrupt(corrupt))));
                String text = prefix + "-text-" + i;
                bad.put(text, "UNSUPPORTED_TYPE");
                records.add(
                        record(
                                text,
                                serde.serializer().serialize(topic, TestImages.notAnImage(text))));
                String magic = prefix + "-magic-" + i;
                bad.put(magic, "UNREADABLE_EVENT");
                records.add(record(magic, TestImages.wrongMagicByte()));
            }
        }
        return records;
    }

    private SpecificAvroSerde<ImageEvent> serde() {
        return IntegrationFixtures.imageSerde(registry.url());
    }

    private static ProducerRecord<byte[], byte[]> record(String key, byte[] value) {
        return new ProducerRecord<>("", key.getBytes(StandardCharsets.UTF_8), value);
    }

    private void produce(Topics topics, List<ProducerRecord<byte[], byte[]>> records) {
        IntegrationFixtures.produce(kafka, topics.images(), records);
    }

    /** Writes p<partition>-<seq> to each partition in turn, one round every 60 ms. */
    private void produceContinuously(Topics topics, int rounds) {
        SpecificAvroSerde<ImageEvent> serde = serde();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int seq = 0; seq < rounds; seq++) {
                for (int partition = 0; partition < 3; partition++) {
                    String id = "p" + partition + "-" + seq;
                    byte[] value =
                            serde.serializer()
                                    .serialize(topics.images(), TestImages.sample(id, seq));
                    producer.send(
                            new ProducerRecord<>(
                                    topics.images(),
                                    partition,
                                    id.getBytes(StandardCharsets.UTF_8),
                                    value));
                }
                producer.flush();
                // Pacing, not waiting for a condition: the images are meant to keep arriving
                // while instances join.
                Thread.sleep(60);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return IntegrationFixtures.producer(kafka);
    }

    private LabelVerifier verifier(Topics topics) {
        LabelVerifier verifier = new LabelVerifier(kafka, topics, AWAIT);
        resources.add(verifier);
        return verifier;
    }

    /** Fails the first submission of one image as the engine would on a failed batch. */
    private static final class FailOnce implements AsyncImageClassifier {
        private final AsyncImageClassifier delegate;
        private final String victim;
        private final AtomicBoolean failed = new AtomicBoolean();

        FailOnce(AsyncImageClassifier delegate, String victim) {
            this.delegate = delegate;
            this.victim = victim;
        }

        @Override
        public CompletableFuture<ClassificationOutcome> submit(ImageEvent event) {
            if (event.getId().toString().equals(victim) && failed.compareAndSet(false, true)) {
                return CompletableFuture.failedFuture(
                        new IllegalStateException("batch failed: device lost"));
            }
            return delegate.submit(event);
        }

        boolean failed() {
            return failed.get();
        }

        @Override
        public String modelName() {
            return delegate.modelName();
        }

        @Override
        public String modelVersion() {
            return delegate.modelVersion();
        }
    }
}
