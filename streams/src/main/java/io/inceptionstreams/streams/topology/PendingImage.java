package io.inceptionstreams.streams.topology;

import org.apache.kafka.common.header.Headers;

/**
 * An input record held in the pending store until its label or dead letter is forwarded: all that
 * is needed to classify it again after a restart and to dead-letter it as Kafka's DLQ would, with
 * the original key, value and headers and the record's origin.
 *
 * @param key the original key bytes (null for a null key)
 * @param value the original, Confluent-framed value bytes
 */
public record PendingImage(
        long timestamp,
        String topic,
        int partition,
        long offset,
        byte[] key,
        byte[] value,
        Headers headers) {}
