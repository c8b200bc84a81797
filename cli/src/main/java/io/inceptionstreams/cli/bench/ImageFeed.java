package io.inceptionstreams.cli.bench;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.serde.AvroSerializer;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes image events, Avro in Confluent's wire format (the schema registered in the registry), as
 * any producer of the service would: all at once before a throughput run, or at a fixed rate for a
 * latency run, remembering when each was sent.
 */
final class ImageFeed implements AutoCloseable {

    private final BenchImages images;
    private final AvroSerializer<ImageEvent> serializer = new AvroSerializer<>();
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();

    ImageFeed(
            String bootstrapServers, Map<String, ?> serdeConfig, BenchImages images, int lingerMs) {
        this.images = images;
        serializer.configure(serdeConfig, false);
        this.producer =
                new KafkaProducer<>(
                        Map.of(
                                "bootstrap.servers",
                                bootstrapServers,
                                "acks",
                                "all",
                                "linger.ms",
                                lingerMs,
                                "batch.size",
                                256 * 1024,
                                "max.request.size",
                                8 * 1024 * 1024),
                        new StringSerializer(),
                        new ByteArraySerializer());
    }

    static String id(String prefix, int index) {
        return String.format(Locale.ROOT, "%s-%07d", prefix, index);
    }

    private ProducerRecord<String, byte[]> record(String topic, String prefix, int index) {
        String id = id(prefix, index);
        ImageEvent event =
                ImageEvent.newBuilder()
                        .setId(id)
                        .setImage(ByteBuffer.wrap(images.get(index)))
                        .setContentType(images.contentType())
                        .setProducedAt(Instant.now())
                        .setAttributes(Map.of())
                        .build();
        return new ProducerRecord<>(topic, id, serializer.serialize(topic, event));
    }

    /** Writes {@code count} images and waits until the broker has acknowledged all of them. */
    void produceAll(String topic, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            producer.send(record(topic, prefix, i));
        }
        producer.flush();
    }

    /**
     * Sends {@code count} images at {@code perSecond}, on schedule (a late send does not shift the
     * ones after it), recording each send time for {@link #sentAt}.
     */
    void producePaced(String topic, String prefix, int count, double perSecond)
            throws InterruptedException {
        long start = System.nanoTime();
        double intervalNanos = 1e9 / perSecond;
        for (int i = 0; i < count; i++) {
            long due = start + (long) (i * intervalNanos);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            ProducerRecord<String, byte[]> record = record(topic, prefix, i);
            sentAt.put(record.key(), System.nanoTime());
            producer.send(record);
        }
        producer.flush();
    }

    /** {@link System#nanoTime()} when {@code id} was handed to the producer, or null. */
    Long sentAt(String id) {
        return sentAt.get(id);
    }

    @Override
    public void close() {
        producer.close();
        serializer.close();
    }
}
