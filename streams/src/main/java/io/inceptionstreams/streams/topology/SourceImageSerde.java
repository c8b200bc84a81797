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
 * SourceImage}). Every failure to read a value, including a tombstone, throws here, so Kafka
 * Streams' deserialization handler sends the record to the dead-letter topic with Kafka's own
 * headers; the processor only ever sees readable events.
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
                throw new SerializationException(
                        "Tombstone on topic '" + topic + "': an image event is required");
            }
            return new SourceImage(bytes, events.deserialize(topic, bytes));
        };
    }

    @Override
    public void close() {
        events.close();
    }
}
