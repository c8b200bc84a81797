package io.inceptionstreams.streams.topology;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.registry.SchemaRegistryAuthenticationException;
import io.inceptionstreams.schemas.registry.SchemaRegistryAuthorizationException;
import io.inceptionstreams.schemas.registry.SchemaRegistryUnavailableException;
import io.inceptionstreams.schemas.serde.AvroDeserializer;
import io.inceptionstreams.schemas.serde.AvroSerdeConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The source value serde: decodes an {@link ImageEvent} and keeps the bytes beside it (see {@link
 * SourceImage}).
 *
 * <p>A value that cannot be read does not throw: it reaches the processor as a {@link SourceImage}
 * without an event, which the processor handles while processing that very record (under
 * exactly-once the outcome then commits with the record's offset; left to Kafka Streams'
 * deserialization handler, a record is dead-lettered when it is buffered but its offset is
 * committed only once a later record of the partition is processed, KAFKA-6502). Two kinds:
 *
 * <ul>
 *   <li><em>permanent</em>, a property of the bytes (a tombstone, no Confluent frame, an unknown
 *       magic byte, a schema id the registry says does not exist, Avro that does not decode): the
 *       record is dead-lettered as {@code UNREADABLE_EVENT};
 *   <li><em>transient</em> ({@link #isTransient}): the registry did not answer, answered 5xx, 429
 *       or 408, or refused the credentials; nothing is known about the record, so it is kept and
 *       read again later.
 * </ul>
 */
public final class SourceImageSerde implements Serde<SourceImage> {
    private final AvroDeserializer<ImageEvent> events = new AvroDeserializer<>();

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Map<String, Object> specific = new HashMap<>(configs);
        specific.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
        specific.put(AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, ImageEvent.class);
        events.configure(specific, isKey);
    }

    /** Reads the event of source bytes (and headers, which may carry the schema id). */
    SourceImage read(String topic, Headers headers, byte[] bytes) {
        if (bytes == null) {
            return SourceImage.unreadable(
                    null,
                    new SerializationException(
                            "Tombstone on topic '" + topic + "': an image event is required"));
        }
        try {
            return new SourceImage(bytes, events.deserialize(topic, headers, bytes));
        } catch (RuntimeException e) {
            return isTransient(e)
                    ? SourceImage.notYetReadable(bytes, e)
                    : SourceImage.unreadable(bytes, e);
        }
    }

    /**
     * Whether a (de)serialization failure says nothing about the record: the schema registry could
     * not be reached or would not serve the call (see {@link SchemaRegistryUnavailableException}),
     * or refused this service's credentials (a configuration problem to fix, not a bad record).
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SchemaRegistryUnavailableException
                    || cause instanceof SchemaRegistryAuthenticationException
                    || cause instanceof SchemaRegistryAuthorizationException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Serializer<SourceImage> serializer() {
        return (topic, image) -> image == null ? null : image.bytes();
    }

    @Override
    public Deserializer<SourceImage> deserializer() {
        return new Deserializer<>() {
            @Override
            public SourceImage deserialize(String topic, byte[] bytes) {
                return read(topic, new RecordHeaders(), bytes);
            }

            @Override
            public SourceImage deserialize(String topic, Headers headers, byte[] bytes) {
                return read(topic, headers, bytes);
            }
        };
    }

    @Override
    public void close() {
        events.close();
    }
}
