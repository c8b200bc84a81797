package io.inceptionstreams.streams.topology;

import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.engine.AsyncImageClassifier;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The classifier's topology:
 *
 * <pre>
 * Source (images) -> Classify [pending-images] -> Sink (labels)
 *                                              \-> DeadLetters (images.dlq)
 * </pre>
 *
 * The source key is read as raw bytes, so a dead letter carries the key exactly as produced.
 */
public final class ClassifierTopology {
    public static final String SOURCE = "Source";
    public static final String CLASSIFY = "Classify";
    public static final String SINK = "Sink";
    public static final String DEAD_LETTERS = "DeadLetters";
    public static final String PENDING_STORE = "pending-images";

    private ClassifierTopology() {}

    /**
     * Builds the topology.
     *
     * @param engine shared by every task and thread of the JVM; not closed by the topology
     */
    public static Topology buildTopology(
            ClassifierConfig config, AsyncImageClassifier engine, ClassifierMetrics metrics) {
        Map<String, Object> serdeConfig = config.serdeConfig();
        SourceImageSerde sourceSerde = new SourceImageSerde();
        sourceSerde.configure(serdeConfig, false);
        SpecificAvroSerde<LabelEvent> labelSerde = new SpecificAvroSerde<>();
        labelSerde.configure(serdeConfig, false);

        // In memory, since the changelog is the durable copy and the pending set is small
        // (in-flight images plus a backlog), so restoring it is cheap. The cache is on: most
        // images are put and deleted within one commit interval, and then only a tombstone,
        // not the image bytes, reaches the changelog.
        StoreBuilder<KeyValueStore<Long, PendingImage>> pendingStore =
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(PENDING_STORE),
                                Serdes.Long(),
                                new PendingImageSerde())
                        .withLoggingEnabled(Map.of())
                        .withCachingEnabled();

        Topology topology = new Topology();
        topology.addSource(
                SOURCE,
                new ByteArrayDeserializer(),
                sourceSerde.deserializer(),
                config.imagesTopic());
        topology.addProcessor(
                CLASSIFY,
                () ->
                        new ClassifyProcessor(
                                engine,
                                sourceSerde,
                                metrics,
                                config.maxInFlightPerTask(),
                                config.maxProcessWait(),
                                config.forwardInterval()),
                SOURCE);
        topology.addStateStore(pendingStore, CLASSIFY);
        topology.addSink(
                SINK,
                config.labelsTopic(),
                new StringSerializer(),
                labelSerde.serializer(),
                CLASSIFY);
        topology.addSink(
                DEAD_LETTERS,
                config.dlqTopic(),
                new ByteArraySerializer(),
                new ByteArraySerializer(),
                CLASSIFY);
        return topology;
    }
}
