package io.inceptionstreams.embeddedkafka;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker in this JVM: KRaft, one combined broker and controller node, listening
 * on loopback on a random port, its logs in a temporary directory deleted after it has closed. For
 * the embedded default mode and for tests; never for production data.
 *
 * <p>Built on Kafka's {@code KafkaClusterTestKit}. A single broker cannot meet Kafka's default
 * replication factor of 3 for its internal topics, so the consumer-offsets and transaction-state
 * topics are created with one replica; otherwise consumer groups and transactions would hang.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private final KafkaClusterTestKit cluster;
    private final Path baseDirectory;

    private EmbeddedKafkaCluster(KafkaClusterTestKit cluster, Path baseDirectory) {
        this.cluster = cluster;
        this.baseDirectory = baseDirectory;
    }

    /** Formats and starts a one-node cluster and waits until its broker is ready. */
    public static EmbeddedKafkaCluster start() throws Exception {
        // The directory is this class's to delete, after the broker has closed: the test kit's
        // own temporary directory is deleted by a JVM shutdown hook, which on SIGTERM races the
        // broker still writing its checkpoints there.
        Path baseDirectory = Files.createTempDirectory("inception-streams-kafka-");
        KafkaClusterTestKit cluster =
                new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setBaseDirectory(baseDirectory)
                                        .setCombined(true)
                                        .setNumBrokerNodes(1)
                                        .setNumControllerNodes(1)
                                        .build())
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("offsets.topic.num.partitions", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("transaction.state.log.num.partitions", "1")
                        .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                        .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                        // A consumer group that forms at once, instead of after 3 s, when the
                        // first member joins: the embedded mode starts with one instance.
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setDeleteOnClose(false)
                        .build();
        try {
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            Utils.delete(baseDirectory.toFile());
            throw e;
        }
        return new EmbeddedKafkaCluster(cluster, baseDirectory);
    }

    /**
     * Formats the storage directories. Kafka's formatter prints its report on {@code System.out},
     * which is the command line's result stream (the demo's table, the addresses a script reads),
     * so the report goes to the debug log instead.
     */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        synchronized (System.class) {
            PrintStream stdout = System.out;
            ByteArrayOutputStream report = new ByteArrayOutputStream();
            System.setOut(new PrintStream(report, true, StandardCharsets.UTF_8));
            try {
                cluster.format();
            } finally {
                System.setOut(stdout);
                log.debug("storage formatted: {}", report.toString(StandardCharsets.UTF_8));
            }
        }
    }

    /** The bootstrap servers of the broker, host:port on loopback. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** An admin client of the cluster; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
    }

    /**
     * Creates topics with one replica each and waits until every partition has its leader, so that
     * a producer started right after is not refused while the broker sets them up.
     */
    public void createTopics(int partitions, String... topics)
            throws InterruptedException, ExecutionException {
        Collection<NewTopic> newTopics =
                List.of(topics).stream()
                        .map(topic -> new NewTopic(topic, partitions, (short) 1))
                        .toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Admin admin = admin()) {
            try {
                admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
                while (!allLed(admin, List.of(topics))) {
                    if (System.nanoTime() > deadline) {
                        throw new java.util.concurrent.TimeoutException("no leaders yet");
                    }
                    Thread.sleep(20);
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw new ExecutionException("topics not ready within 30 s: " + List.of(topics), e);
            }
        }
    }

    /** Whether every partition has a leader; false while the broker does not know a topic yet. */
    private static boolean allLed(Admin admin, Collection<String> topics)
            throws InterruptedException, ExecutionException {
        try {
            return admin.describeTopics(topics).allTopicNames().get().values().stream()
                    .flatMap(description -> description.partitions().stream())
                    .allMatch(partition -> partition.leader() != null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            cluster.close();
        } finally {
            Utils.delete(baseDirectory.toFile());
        }
    }
}
