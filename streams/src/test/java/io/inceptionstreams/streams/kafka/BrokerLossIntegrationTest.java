package io.inceptionstreams.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.streams.ClassifierService;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.kafka.IntegrationFixtures.Topics;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service while the cluster loses a broker: 3 in-process KRaft brokers, every topic (the
 * service's and Kafka Streams' internal ones) with 3 replicas and {@code min.insync.replicas} 2,
 * one instance classifying images that keep arriving while the broker leading one of its partitions
 * is stopped abruptly and, later, started again.
 */
@Timeout(150)
class BrokerLossIntegrationTest extends BrokerTest {
    private static final Logger log = LoggerFactory.getLogger(BrokerLossIntegrationTest.class);
    private static final Duration AWAIT = Duration.ofSeconds(60);
    private static final int IMAGES = 300;
    private static final int PER_ROUND = 10;
    private static final Duration ROUND_PAUSE = Duration.ofMillis(400);
    // Longer than the controller's broker session timeout (6 s), so that the lost broker's
    // leaderships move to the others while it is away.
    private static final Duration BROKER_DOWN = Duration.ofSeconds(10);

    @BeforeAll
    static void startCluster() throws Exception {
        startCluster(3);
    }

    @Test
    void shouldLabelEveryImageExactlyOnceWhenALeadingBrokerIsLostAndRestartedUnderExactlyOnce()
            throws Exception {
        BrokerLoss loss = loseAndRestartABroker("eos-broker-loss", "exactly_once_v2");

        // Then, reading committed data, every image has exactly one label and none is
        // dead-lettered
        assertThat(loss.verifier.labels).containsOnlyKeys(loss.images);
        assertThat(loss.verifier.duplicateLabels()).as("images labelled more than once").isEmpty();
        assertThat(loss.verifier.deadLetters).isEmpty();
    }

    @Test
    void shouldLabelEveryImageAtLeastOnceWhenALeadingBrokerIsLostAndRestartedUnderAtLeastOnce()
            throws Exception {
        BrokerLoss loss = loseAndRestartABroker("alos-broker-loss", "at_least_once");

        // Then every image has a label (some may have two) and none is dead-lettered
        Map<String, Integer> duplicates = loss.verifier.duplicateLabels();
        log.info("at least once, broker lost: {} images labelled twice or more", duplicates.size());
        assertThat(loss.verifier.labels)
                .as("labelled images (%d duplicated: %s)", duplicates.size(), duplicates)
                .containsOnlyKeys(loss.images);
        assertThat(loss.verifier.deadLetters).isEmpty();
    }

    /** What a broker-loss test saw: the images it sent and what the topics hold afterwards. */
    private record BrokerLoss(LabelVerifier verifier, List<String> images) {}

    /**
     * Given one instance under {@code guarantee} and images produced continuously; when the leader
     * of a partition of the instance's pending-store changelog (of the labels topic when there is
     * none) is stopped abruptly once some labels are out, and restarted {@link #BROKER_DOWN} later;
     * returns once every image has a label.
     */
    private BrokerLoss loseAndRestartABroker(String name, String guarantee) throws Exception {
        // Given an instance, all of its topics with 3 replicas, and images arriving continuously
        Topics topics = Topics.create(kafka, name, 3);
        LabelVerifier verifier = new LabelVerifier(kafka, topics, AWAIT);
        resources.add(verifier);
        Map<String, String> settings =
                IntegrationFixtures.settings(
                        kafka, registry.url(), bundle, topics, guarantee, dir.resolve("state"));
        settings.put("kafka.replication.factor", "3");
        // A transaction open while a broker's leaderships move takes longer than the 5 s of the
        // other tests; aborting it on time-out is not what this test is about.
        settings.put("kafka.transaction.timeout.ms", "20000");
        ClassifierMetrics metrics = new ClassifierMetrics(new SimpleMeterRegistry());
        resources.add(
                ClassifierService.start(
                        ClassifierConfig.of(settings),
                        IntegrationFixtures.engine(bundle, dir, 8),
                        metrics));
        List<String> images = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> records =
                IntegrationFixtures.goodImages(
                        IntegrationFixtures.imageSerde(registry.url()),
                        topics.images(),
                        "img",
                        IMAGES,
                        images);
        CompletableFuture<Void> producing =
                CompletableFuture.runAsync(() -> produceContinuously(records));
        resources.add(() -> producing.cancel(true));

        // When, mid-stream, the broker leading a partition the instance writes is lost...
        verifier.pollUntil(() -> verifier.labels.size() >= 40, "first labels");
        int victim = leaderToLose(topics);
        kafka.stopBroker(victim);
        int labelledAtLoss = verifier.labels.size();
        log.info("broker {} stopped with {} of {} images labelled", victim, labelledAtLoss, IMAGES);
        assertThat(labelledAtLoss).as("broker lost mid-stream").isLessThan(IMAGES);

        // ...and comes back later
        verifier.pollQuietly(BROKER_DOWN);
        log.info("restarting broker {} with {} images labelled", victim, verifier.labels.size());
        kafka.restartBroker(victim);

        producing.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
        verifier.pollUntil(() -> verifier.labels.size() >= IMAGES, "all labels");
        verifier.pollQuietly(Duration.ofSeconds(2));
        return new BrokerLoss(verifier, images);
    }

    /**
     * The leader of partition 0 of the instance's changelog topic, where its pending images are
     * buffered, or of the labels topic when no changelog exists (yet).
     */
    private static int leaderToLose(Topics topics) throws Exception {
        try (Admin admin = kafka.admin()) {
            String topic =
                    admin.listTopics().names().get().stream()
                            .filter(t -> t.startsWith(topics.app()) && t.endsWith("-changelog"))
                            .findFirst()
                            .orElse(topics.labels());
            int leader =
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get()
                            .get(topic)
                            .partitions()
                            .get(0)
                            .leader()
                            .id();
            log.info("losing broker {}, the leader of {}-0", leader, topic);
            return leader;
        }
    }

    /** Writes {@code records} to the images topic, {@link #PER_ROUND} at a time, paced. */
    private void produceContinuously(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = IntegrationFixtures.producer(kafka)) {
            for (int i = 0; i < records.size(); i++) {
                producer.send(records.get(i));
                if ((i + 1) % PER_ROUND == 0) {
                    producer.flush();
                    // Pacing, not waiting for a condition: the images are meant to keep
                    // arriving while the broker is away.
                    Thread.sleep(ROUND_PAUSE.toMillis());
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
