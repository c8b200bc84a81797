package io.inceptionstreams.schemas.serde;

import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A serde of {@link GenericRecord}s in Confluent's wire format; records read back carry their
 * writer schema. Takes the keys of {@link AvroSerdeConfig}; {@code specific.avro.reader} is always
 * false. A serde built with a {@link SchemaRegistryClient} is ready as a value serde without {@link
 * #configure}.
 */
public final class GenericAvroSerde extends Serdes.WrapperSerde<GenericRecord> {

    public GenericAvroSerde() {
        super(new AvroSerializer<>(), new AvroDeserializer<>());
    }

    /** A serde using {@code client}, which it does not close. */
    public GenericAvroSerde(SchemaRegistryClient client) {
        super(new AvroSerializer<>(client), new AvroDeserializer<>(client));
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Map<String, Object> generic = new HashMap<>(configs);
        generic.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, false);
        super.configure(generic, isKey);
    }
}
