package io.inceptionstreams.cli.client;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.serde.AvroSerializer;
import io.inceptionstreams.streams.config.ClassifierConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends {@link ImageEvent}s to the configured images topic, keyed by image id, in the registry's
 * Avro wire format: what {@code produce} and the demo use, and a template for any producer.
 *
 * <p>Idempotent with {@code acks=all}, so a retried send never duplicates an image. Sends and
 * registry calls give up after the configured {@code startup.timeout.ms} instead of blocking for
 * ever on an unreachable cluster.
 */
public final class ImageProducer implements AutoCloseable {
    private final KafkaProducer<String, ImageEvent> producer;
    private final String topic;

    public ImageProducer(ClassifierConfig config) {
        Map<String, Object> props = new HashMap<>(config.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.startupTimeout().toMillis());
        AvroSerializer<ImageEvent> serializer = new AvroSerializer<>();
        serializer.configure(config.serdeConfig(), false);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), serializer);
        this.topic = config.imagesTopic();
    }

    public String topic() {
        return topic;
    }

    /**
     * Sends one event; the future completes when the broker has it.
     *
     * @throws org.apache.kafka.common.KafkaException at once when the event cannot be serialized
     *     (e.g. the registry is unreachable) or the cluster does not answer in time
     */
    public CompletableFuture<RecordMetadata> send(ImageEvent event) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        producer.send(
                new ProducerRecord<>(topic, event.getId().toString(), event),
                (metadata, error) -> {
                    if (error == null) {
                        acked.complete(metadata);
                    } else {
                        acked.completeExceptionally(error);
                    }
                });
        return acked;
    }

    /** Blocks until every event sent so far is acknowledged or failed. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
