package io.inceptionstreams.cli.client;

import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.serde.AvroDeserializer;
import io.inceptionstreams.streams.ServiceStartException;
import io.inceptionstreams.streams.config.ClassifierConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@link LabelEvent}s from every partition of the configured labels topic, without a consumer
 * group (nothing is committed; two readers never split the labels between them), and only committed
 * data, so under exactly-once it never shows a label that was rolled back.
 */
public final class LabelReader implements AutoCloseable {
    private final KafkaConsumer<String, LabelEvent> consumer;

    /**
     * @param fromBeginning read the labels already in the topic too, not only new ones
     * @throws ServiceStartException when the topic cannot be found within {@code
     *     startup.timeout.ms}
     */
    public LabelReader(ClassifierConfig config, boolean fromBeginning) {
        Map<String, Object> props = new HashMap<>(config.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) Math.min(Integer.MAX_VALUE, config.startupTimeout().toMillis()));
        AvroDeserializer<LabelEvent> deserializer = new AvroDeserializer<>();
        deserializer.configure(config.serdeConfig(), false);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), deserializer);
        try {
            String topic = config.labelsTopic();
            List<PartitionInfo> partitions = consumer.partitionsFor(topic);
            if (partitions == null || partitions.isEmpty()) {
                throw new ServiceStartException(
                        "topic '" + topic + "' does not exist on " + config.bootstrapServers());
            }
            List<TopicPartition> assigned =
                    partitions.stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            consumer.assign(assigned);
            if (fromBeginning) {
                consumer.seekToBeginning(assigned);
            } else {
                consumer.seekToEnd(assigned);
                // Resolve the end offsets now, so labels produced from here on are all read.
                assigned.forEach(consumer::position);
            }
        } catch (KafkaException e) {
            consumer.close();
            throw new ServiceStartException(
                    "cannot read topic '"
                            + config.labelsTopic()
                            + "' on Kafka at "
                            + config.bootstrapServers()
                            + ": "
                            + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /** The labels that arrive within {@code timeout} (possibly none). */
    public List<LabelEvent> poll(Duration timeout) {
        List<LabelEvent> labels = new ArrayList<>();
        for (ConsumerRecord<String, LabelEvent> record : consumer.poll(timeout)) {
            labels.add(record.value());
        }
        return labels;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
