package io.inceptionstreams.streams.topology;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An input record held in the pending store until its label or dead letter is forwarded: all that
 * is needed to classify it again after a restart and to dead-letter it as Kafka's DLQ would, with
 * the original key, value and headers and the record's origin.
 *
 * @param key the original key bytes (null for a null key)
 * @param value the original, Confluent-framed value bytes
 * @param unreadable why a stored entry could not be read back (then {@code value} holds the stored
 *     bytes as they are and the origin is unknown: topic null, partition and offset -1); null for
 *     every entry that was read
 */
public record PendingImage(
        long timestamp,
        String topic,
        int partition,
        long offset,
        byte[] key,
        byte[] value,
        Headers headers,
        RuntimeException unreadable) {

    public PendingImage(
            long timestamp,
            String topic,
            int partition,
            long offset,
            byte[] key,
            byte[] value,
            Headers headers) {
        this(timestamp, topic, partition, offset, key, value, headers, null);
    }

    /** A stored entry that cannot be read back, kept so it can be dead-lettered. */
    static PendingImage unreadable(byte[] stored, RuntimeException why) {
        return new PendingImage(-1, null, -1, -1, null, stored, new RecordHeaders(), why);
    }
}
