package io.inceptionstreams.cli.bench;

import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a labels topic from its start, as a downstream consumer would, and records when each image
 * id got its first label (duplicates under at-least-once count once, and are counted apart). It
 * reads {@code read_committed}, as the consumers of an exactly-once service must: a label counts
 * once its transaction has committed, not when it is written (without transactions, as under
 * at-least-once, the two are the same). Every value is decoded as a {@link LabelEvent} in
 * Confluent's wire format, so a peer that writes anything else fails the run instead of being
 * timed.
 */
final class LabelWatch implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<LabelEvent> deserializer = new AvroDeserializer<>();
    private final String topic;
    private final Thread thread;
    private final Set<String> seen = new HashSet<>();
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final Map<String, LabelEvent> labels = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private long[] order = new long[1024];
    private int count;
    private long records;
    private volatile RuntimeException failure;
    private volatile boolean closing;

    LabelWatch(String bootstrapServers, String topic, int partitions, Map<String, ?> serdeConfig) {
        this.topic = topic;
        this.consumer =
                new KafkaConsumer<>(
                        Map.of(
                                "bootstrap.servers",
                                bootstrapServers,
                                "auto.offset.reset",
                                "earliest",
                                "enable.auto.commit",
                                false,
                                "fetch.max.wait.ms",
                                100,
                                "isolation.level",
                                "read_committed"),
                        new StringDeserializer(),
                        new ByteArrayDeserializer());
        deserializer.configure(serdeConfig, false);
        List<TopicPartition> all =
                java.util.stream.IntStream.range(0, partitions)
                        .mapToObj(p -> new TopicPartition(topic, p))
                        .toList();
        consumer.assign(all);
        consumer.seekToBeginning(all);
        this.thread = new Thread(this::run, "bench-label-watch-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!closing) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    LabelEvent label = deserializer.deserialize(topic, record.value());
                    if (label == null || label.getLabels().isEmpty()) {
                        throw new IllegalStateException(
                                "label without labels on " + topic + " for key " + record.key());
                    }
                    String id = record.key() != null ? record.key() : label.getImageId() + "";
                    synchronized (lock) {
                        records++;
                        if (seen.add(id)) {
                            if (count == order.length) {
                                order = java.util.Arrays.copyOf(order, count * 2);
                            }
                            order[count++] = now;
                            arrivals.put(id, now);
                            labels.put(id, label);
                            lock.notifyAll();
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    /** Distinct images labelled so far. */
    int count() {
        synchronized (lock) {
            return count;
        }
    }

    /** Labels read so far, repeats included. */
    long records() {
        synchronized (lock) {
            return records;
        }
    }

    /**
     * Waits until {@code n} distinct images are labelled.
     *
     * @param alive checked every 100 ms; the wait fails once it turns false (a peer exited)
     * @throws TimeoutException when {@code timeout} passes first, saying how many arrived
     */
    void await(int n, Duration timeout, BooleanSupplier alive)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (count < n) {
                if (failure != null) {
                    throw new IllegalStateException("reading " + topic + " failed", failure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException(
                            count + " of " + n + " images labelled on " + topic + " in " + timeout);
                }
                if (!alive.getAsBoolean()) {
                    throw new IllegalStateException(
                            "stopped after " + count + " of " + n + " images labelled on " + topic);
                }
                lock.wait(Math.min(100, Math.max(1, left / 1_000_000)));
            }
        }
    }

    /** {@link System#nanoTime()} when the {@code k}-th distinct image (1-based) was labelled. */
    long arrival(int k) {
        synchronized (lock) {
            if (k < 1 || k > count) {
                throw new IllegalArgumentException(k + " of " + count + " labels");
            }
            return order[k - 1];
        }
    }

    /** When {@code imageId} got its first label, or null. */
    Long arrivalOf(String imageId) {
        return arrivals.get(imageId);
    }

    /** The first label of {@code imageId}, or null. */
    LabelEvent labelOf(String imageId) {
        return labels.get(imageId);
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
        deserializer.close();
    }
}
