package io.inceptionstreams.embeddedkafka;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
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
 *
 * <p>For fault tests, {@link #start(int)} runs several brokers beside one controller of their own,
 * so that a broker can be stopped abruptly ({@link #stopBroker(int)}) and started again ({@link
 * #restartBroker(int)}) while the quorum stays up.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final long READY_TIMEOUT_SECONDS = 30;
    private final KafkaClusterTestKit cluster;
    private final Path baseDirectory;
    // Taken once: the test kit derives it from the running brokers, so a stopped one would drop out
    // of (or break) it, while clients keep every address they were given.
    private final String bootstrapServers;
    private final SortedSet<Integer> stopped = new TreeSet<>();

    private EmbeddedKafkaCluster(KafkaClusterTestKit cluster, Path baseDirectory) {
        this.cluster = cluster;
        this.baseDirectory = baseDirectory;
        this.bootstrapServers = cluster.bootstrapServers();
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
        return startBuilt(cluster, baseDirectory);
    }

    /**
     * Formats and starts a cluster of {@code brokers} brokers (ids 0 to {@code brokers - 1}) and
     * one separate controller, and waits until every broker is ready. Internal topics get {@code
     * min(3, brokers)} replicas; with 3 brokers or more, {@code min.insync.replicas} and {@code
     * transaction.state.log.min.isr} are 2, so that one broker may be lost without losing
     * acknowledged writes or availability. Brokers shut down without controlled shutdown: a stopped
     * broker hands over none of its leaderships, which move only once the controller has missed its
     * heartbeats for {@code broker.session.timeout.ms} (6 s here), as after a crash.
     */
    public static EmbeddedKafkaCluster start(int brokers) throws Exception {
        if (brokers < 1) {
            throw new IllegalArgumentException("at least one broker is needed, not " + brokers);
        }
        String replicas = String.valueOf(Math.min(3, brokers));
        String minInSync = brokers >= 3 ? "2" : "1";
        Path baseDirectory = Files.createTempDirectory("inception-streams-kafka-");
        KafkaClusterTestKit cluster =
                new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setBaseDirectory(baseDirectory)
                                        .setCombined(false)
                                        .setNumBrokerNodes(brokers)
                                        .setNumControllerNodes(1)
                                        .build())
                        .setConfigProp("offsets.topic.replication.factor", replicas)
                        .setConfigProp("offsets.topic.num.partitions", "3")
                        .setConfigProp("transaction.state.log.replication.factor", replicas)
                        .setConfigProp("transaction.state.log.min.isr", minInSync)
                        .setConfigProp("transaction.state.log.num.partitions", "3")
                        .setConfigProp("share.coordinator.state.topic.replication.factor", replicas)
                        .setConfigProp("share.coordinator.state.topic.min.isr", minInSync)
                        .setConfigProp("min.insync.replicas", minInSync)
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        // Stopping a broker is then as abrupt as the test kit allows in-process:
                        // its socket server closes at once and its partitions stay led by it
                        // until the controller fences it for want of heartbeats.
                        .setConfigProp("controlled.shutdown.enable", "false")
                        .setConfigProp("broker.session.timeout.ms", "6000")
                        .setConfigProp("broker.heartbeat.interval.ms", "1000")
                        .setDeleteOnClose(false)
                        .build();
        return startBuilt(cluster, baseDirectory);
    }

    private static EmbeddedKafkaCluster startBuilt(KafkaClusterTestKit cluster, Path baseDirectory)
            throws Exception {
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

    /** The bootstrap servers of every broker, host:port on loopback, as they were at start. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The ids of the brokers, running or stopped. */
    public Set<Integer> brokerIds() {
        return Set.copyOf(cluster.brokers().keySet());
    }

    /**
     * Stops broker {@code id} abruptly: without controlled shutdown when the cluster was started by
     * {@link #start(int)}, so its connections drop and its leaderships stay with it until the
     * controller fences it. In-process this is the closest the test kit comes to a crash; unlike
     * one, the broker still flushes and closes its logs.
     */
    public synchronized void stopBroker(int id) {
        BrokerServer broker = broker(id);
        if (!stopped.add(id)) {
            throw new IllegalStateException("broker " + id + " is already stopped");
        }
        log.info("stopping broker {}", id);
        broker.shutdown();
        broker.awaitShutdown();
    }

    /**
     * Starts the same broker {@code id} again, on its old port and logs, and waits until the
     * cluster lists it among its live brokers (it has caught up with the metadata and is unfenced).
     */
    public synchronized void restartBroker(int id) throws InterruptedException, ExecutionException {
        BrokerServer broker = broker(id);
        if (!stopped.contains(id)) {
            throw new IllegalStateException("broker " + id + " is running");
        }
        log.info("restarting broker {}", id);
        broker.startup();
        stopped.remove(id);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
        try (Admin admin = admin()) {
            while (admin.describeCluster().nodes().get().stream()
                    .mapToInt(Node::id)
                    .noneMatch(node -> node == id)) {
                if (System.nanoTime() > deadline) {
                    throw new ExecutionException(
                            new java.util.concurrent.TimeoutException(
                                    "broker "
                                            + id
                                            + " not live within "
                                            + READY_TIMEOUT_SECONDS
                                            + " s of its restart"));
                }
                Thread.sleep(100);
            }
        }
    }

    private BrokerServer broker(int id) {
        BrokerServer broker = cluster.brokers().get(id);
        if (broker == null) {
            throw new IllegalArgumentException(
                    "no broker " + id + "; the brokers are " + brokerIds());
        }
        return broker;
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
        createTopics(partitions, 1, topics);
    }

    /**
     * Creates topics with {@code replicationFactor} replicas each (and the cluster's {@code
     * min.insync.replicas}) and waits until every partition has its leader.
     */
    public void createTopics(int partitions, int replicationFactor, String... topics)
            throws InterruptedException, ExecutionException {
        Collection<NewTopic> newTopics =
                List.of(topics).stream()
                        .map(topic -> new NewTopic(topic, partitions, (short) replicationFactor))
                        .toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
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
