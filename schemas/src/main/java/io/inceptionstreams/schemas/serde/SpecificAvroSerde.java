package io.inceptionstreams.schemas.serde;

import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A serde of generated Avro classes in Confluent's wire format, for Kafka Streams:
 *
 * <pre>{@code
 * SpecificAvroSerde<ImageEvent> images = new SpecificAvroSerde<>();
 * images.configure(Map.of("schema.registry.url", "http://registry:8081"), false);
 * builder.stream("images", Consumed.with(Serdes.String(), images));
 * }</pre>
 *
 * <p>Takes the keys of {@link AvroSerdeConfig}; {@code specific.avro.reader} is always true. A
 * serde built with a {@link SchemaRegistryClient} is ready as a value serde without {@link
 * #configure}.
 *
 * @param <T> the generated record class
 */
public final class SpecificAvroSerde<T extends SpecificRecord> extends Serdes.WrapperSerde<T> {

    public SpecificAvroSerde() {
        super(new AvroSerializer<>(), new AvroDeserializer<>());
    }

    /** A serde using {@code client}, which it does not close. */
    public SpecificAvroSerde(SchemaRegistryClient client) {
        super(new AvroSerializer<>(client), new AvroDeserializer<>(client));
        configure(Map.of(), false);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Map<String, Object> specific = new HashMap<>(configs);
        specific.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
        super.configure(specific, isKey);
    }
}
