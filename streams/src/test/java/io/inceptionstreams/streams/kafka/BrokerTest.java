package io.inceptionstreams.streams.kafka;

import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.model.TestNetworks;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.schemas.registry.server.EmbeddedSchemaRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the broker-backed tests of one class share: an in-process cluster, the embedded registry
 * over HTTP (so that instances in other JVMs read the same schemas) and a small random bundle; and,
 * per test, the resources to close and the instance in another JVM to kill afterwards.
 *
 * <p>One broker unless a subclass declares its own {@code startCluster()} calling {@link
 * #startCluster(int)}.
 */
abstract class BrokerTest {
    @TempDir static Path shared;
    @TempDir Path dir;
    static EmbeddedKafkaCluster kafka;
    static EmbeddedSchemaRegistry registry;
    static ModelBundle bundle;
    final List<AutoCloseable> resources = new ArrayList<>();
    Process child;

    @BeforeAll
    static void startCluster() throws Exception {
        startCluster(1);
    }

    static void startCluster(int brokers) throws Exception {
        kafka = brokers == 1 ? EmbeddedKafkaCluster.start() : EmbeddedKafkaCluster.start(brokers);
        registry = new EmbeddedSchemaRegistry().start();
        bundle = TestNetworks.randomBundle(shared.resolve("bundle"), "float32");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        registry.close();
        kafka.close();
    }

    @AfterEach
    void closeTestResources() throws Exception {
        if (child != null && child.isAlive()) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }
}
