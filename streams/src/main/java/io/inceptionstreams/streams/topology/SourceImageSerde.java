package io.inceptionstreams.streams.topology;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.serde.AvroDeserializer;
import io.inceptionstreams.schemas.serde.AvroSerdeConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The source value serde: decodes an {@link ImageEvent} and keeps the bytes beside it (see {@link
 * SourceImage}).
 *
 * <p>A value that cannot be read (including a tombstone) does not throw: it reaches the processor
 * as an unreadable {@link SourceImage}, which dead-letters it while processing that very record.
 * Under exactly-once that makes the dead letter commit with the record's offset. Left to Kafka
 * Streams' deserialization handler instead, a record is dead-lettered when it is buffered, but its
 * offset is committed only once a later record of the partition is processed (KAFKA-6502), so an
 * instance crashing in between had its replacement dead-letter the record a second time.
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

    /** Decodes the event of stored source bytes, as the source does. */
    ImageEvent decode(String topic, byte[] bytes) {
        return events.deserialize(topic, bytes);
    }

    @Override
    public Serializer<SourceImage> serializer() {
        return (topic, image) -> image == null ? null : image.bytes();
    }

    @Override
    public Deserializer<SourceImage> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return SourceImage.unreadable(
                        null,
                        new SerializationException(
                                "Tombstone on topic '" + topic + "': an image event is required"));
            }
            try {
                return new SourceImage(bytes, events.deserialize(topic, bytes));
            } catch (RuntimeException e) {
                return SourceImage.unreadable(bytes, e);
            }
        };
    }

    @Override
    public void close() {
        events.close();
    }
}
