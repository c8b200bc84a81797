package io.inceptionstreams.streams.topology;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * Counts, per stream thread, the producer flushes that completed: the one signal Kafka Streams
 * gives, under {@code at_least_once}, that everything the thread sent before has been acknowledged
 * by the brokers. A commit flushes the thread's producer (and fails if any send failed) before it
 * commits offsets; the flush runs on the stream thread, so a processor reads the count of its own
 * thread.
 *
 * <p>Why the classify processor needs it: a label (labels topic) and the tombstone that deletes its
 * pending-store entry (changelog) go to different partitions, so without a transaction the
 * tombstone can be acknowledged while the label is still lost in a crash. The processor therefore
 * deletes an entry only after a flush that completed after its outputs were sent. Installed as
 * Kafka Streams' {@code default.client.supplier} by {@link ClassifierTopology#streamsProperties}.
 */
public final class ProducerFlushes implements KafkaClientSupplier {
    private static final ThreadLocal<long[]> COMPLETED = ThreadLocal.withInitial(() -> new long[1]);

    /** Producer flushes completed on the calling thread so far. */
    public static long completed() {
        return COMPLETED.get()[0];
    }

    /**
     * Records a completed flush on the calling thread; done by the producers this supplier makes,
     * and by tests that drive a processor without a producer.
     */
    public static void recordCompleted() {
        COMPLETED.get()[0]++;
    }

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return Admin.create(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        return new CountingProducer(
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()));
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(
                config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return getConsumer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return getConsumer(config);
    }

    /** A producer that counts its completed flushes on the flushing thread. */
    private record CountingProducer(Producer<byte[], byte[]> delegate)
            implements Producer<byte[], byte[]> {

        @Override
        public void flush() {
            delegate.flush();
            recordCompleted();
        }

        @Override
        public void initTransactions() {
            delegate.initTransactions();
        }

        @Override
        public void beginTransaction() {
            delegate.beginTransaction();
        }

        @Override
        public void sendOffsetsToTransaction(
                Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
            delegate.sendOffsetsToTransaction(offsets, group);
        }

        @Override
        public void commitTransaction() {
            delegate.commitTransaction();
        }

        @Override
        public void abortTransaction() {
            delegate.abortTransaction();
        }

        @Override
        public void registerMetricForSubscription(KafkaMetric metric) {
            delegate.registerMetricForSubscription(metric);
        }

        @Override
        public void unregisterMetricFromSubscription(KafkaMetric metric) {
            delegate.unregisterMetricFromSubscription(metric);
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
            return delegate.send(record);
        }

        @Override
        public Future<RecordMetadata> send(
                ProducerRecord<byte[], byte[]> record, Callback callback) {
            return delegate.send(record, callback);
        }

        @Override
        public List<PartitionInfo> partitionsFor(String topic) {
            return delegate.partitionsFor(topic);
        }

        @Override
        public Map<MetricName, ? extends Metric> metrics() {
            return delegate.metrics();
        }

        @Override
        public Uuid clientInstanceId(Duration timeout) {
            return delegate.clientInstanceId(timeout);
        }

        @Override
        public void close() {
            delegate.close();
        }

        @Override
        public void close(Duration timeout) {
            delegate.close(timeout);
        }
    }
}
