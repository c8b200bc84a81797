package io.inceptionstreams.streams.topology;

import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.engine.AsyncImageClassifier;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
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
 * The source key is read as raw bytes, so a dead letter carries the key exactly as produced. The
 * processor serializes the labels itself (see {@link ClassifyProcessor}), so both sinks write
 * bytes.
 */
public final class ClassifierTopology {
    public static final String SOURCE = "Source";
    public static final String CLASSIFY = "Classify";
    public static final String SINK = "Sink";
    public static final String DEAD_LETTERS = "DeadLetters";
    public static final String SHADOW_SINK = "ShadowSink";
    public static final String PENDING_STORE = "pending-images";

    /**
     * Kafka Streams' {@code buffered.records.per.partition} unless a {@code kafka.} setting says.
     */
    public static final int BUFFERED_RECORDS_PER_PARTITION = 64;

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

        // On disk (RocksDB), so that a backlog parked here costs disk, not heap, whatever the lag;
        // the changelog is the durable copy. No cache: every put and delete reaches the changelog
        // in the order it was made, and nothing of the image bytes is held in memory.
        StoreBuilder<KeyValueStore<Long, PendingImage>> pendingStore =
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(PENDING_STORE),
                                Serdes.Long(),
                                new PendingImageSerde())
                        .withLoggingEnabled(Map.of())
                        .withCachingDisabled();

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
                                labelSerde.serializer(),
                                config.labelsTopic(),
                                config.shadowLabelsTopic(),
                                metrics,
                                config.maxInFlightPerTask(),
                                config.forwardInterval(),
                                config.imageTimeout()),
                SOURCE);
        topology.addStateStore(pendingStore, CLASSIFY);
        topology.addSink(
                SINK,
                config.labelsTopic(),
                new StringSerializer(),
                new ByteArraySerializer(),
                CLASSIFY);
        // Written only while a shadow model runs (the topic need not exist before).
        topology.addSink(
                SHADOW_SINK,
                config.shadowLabelsTopic(),
                new StringSerializer(),
                new ByteArraySerializer(),
                CLASSIFY);
        topology.addSink(
                DEAD_LETTERS,
                config.dlqTopic(),
                new ByteArraySerializer(),
                new ByteArraySerializer(),
                CLASSIFY);
        return topology;
    }

    /**
     * The Kafka Streams properties of the topology: the knobs Kafka owns, the dead-letter wiring,
     * then every {@code kafka.*} pass-through, which may override any of them.
     */
    public static Properties streamsProperties(ClassifierConfig config) {
        Properties props = new Properties();
        props.put(
                StreamsConfig.APPLICATION_ID_CONFIG,
                config.getString(ClassifierConfig.APPLICATION_ID));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(
                StreamsConfig.NUM_STREAM_THREADS_CONFIG,
                config.getInt(ClassifierConfig.NUM_STREAM_THREADS));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processingGuarantee());
        // Unreadable values reach the processor, which dead-letters them with their offset. As a
        // safety net for anything else a deserializer might throw, Kafka Streams' own DLQ
        // (KIP-1034) writes to the same topic, and the handler resumes so one bad record never
        // stops the partition.
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, config.dlqTopic());
        props.put(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        // An output that cannot be produced fails the task (its images stay pending), with one log
        // line; Kafka's default handler would dead-letter whichever record was being processed.
        props.put(
                StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                OutputFailureHandler.class.getName());
        // Producers that count their flushes: at_least_once deletes a pending entry only after
        // its label has been acknowledged (see ProducerFlushes).
        props.put(StreamsConfig.DEFAULT_CLIENT_SUPPLIER_CONFIG, ProducerFlushes.class.getName());
        // A processor exception means the engine failed (bad images are dead-lettered by the
        // processor itself): fail the task so its pending images are classified again, without
        // Kafka's default handler dead-lettering whichever record was being processed.
        props.put(
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                FailTaskProcessingExceptionHandler.class.getName());
        // The topology has no global stores; opting in is the behaviour Kafka 5.0 makes the
        // default and silences its warning. The partition assignor rebuilds a StreamsConfig from
        // the main consumer's settings, so it must be given there too.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(
                StreamsConfig.mainConsumerPrefix(
                        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG),
                true);
        // Labels are forwarded by the stream thread only, between its polls: a thread blocked
        // for Kafka Streams' default 100 ms poll holds back labels the engine has finished.
        // Waking it at the forward interval halved the median latency at half load (bench).
        props.put(StreamsConfig.POLL_MS_CONFIG, config.forwardInterval().toMillis());
        // Kafka Streams lets its producer wait 100 ms to fill a batch of records; a label is
        // ready when its image batch is, so waiting longer only adds latency.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        // Records wait in Kafka Streams' input buffer only until the processor parks them on disk,
        // which it does at once; Kafka's 1000 records a partition would let a backlog of large
        // images (up to 1 MiB each) into the heap first.
        props.put(
                StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG,
                BUFFERED_RECORDS_PER_PARTITION);
        // One off-heap budget for all the instance's stores, instead of Kafka Streams' cache and
        // write buffers per store (task), which add up with the partitions an instance owns.
        if (config.rocksDbMemoryBytes() > 0
                && !config.kafkaPassThrough()
                        .containsKey(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)) {
            props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
            props.put(BoundedRocksDbMemory.MEMORY_BYTES_CONFIG, config.rocksDbMemoryBytes());
        }
        props.putAll(config.kafkaPassThrough());
        return props;
    }
}
