package io.inceptionstreams.schemas.serde;

import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import io.inceptionstreams.schemas.registry.SchemaRegistryException;
import io.inceptionstreams.schemas.registry.SchemaRegistryUnavailableException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Deserializes records in Confluent's wire format ({@link ConfluentWireFormat}), as written by
 * {@link AvroSerializer} or Confluent's {@code KafkaAvroSerializer}. Null bytes (a tombstone) give
 * null.
 *
 * <p>The writer schema is fetched by the id in the frame (once per id: the client caches it) and
 * resolved against the reader schema, so data written with an older or newer compatible schema
 * reads fine. With {@code specific.avro.reader=false} (the default) the result is a {@code
 * GenericRecord} in the writer schema; with {@code true} it is the generated class named like the
 * writer schema, or {@code specific.avro.value.type} / {@code specific.avro.key.type}, read with
 * that class's schema. See {@link AvroSerdeConfig} for all keys; at least {@code
 * schema.registry.url} is needed unless the deserializer is built with a {@link
 * SchemaRegistryClient}.
 *
 * <p>The schema is named either by the 5-byte prefix or, as Confluent's {@code
 * HeaderSchemaIdSerializer} writes it, by a GUID in the {@code __value_schema_id} / {@code
 * __key_schema_id} record header ({@link SchemaIdHeader}); {@link #deserialize(String, Headers,
 * byte[])} reads the header first and falls back to the prefix, as Confluent's {@code
 * DualSchemaIdDeserializer} does.
 *
 * <p>Every failure is a {@link SerializationException}: registry failures are {@link
 * SchemaRegistryException}s naming the schema id or GUID, thrown as they are; malformed frames,
 * headers and bodies name the topic. Only a {@link SchemaRegistryUnavailableException} (registry
 * unreachable, timed out, 5xx, 429) is transient, to retry; every other failure, an unknown id or
 * GUID (40403) included, is permanent for the record, to dead-letter.
 *
 * @param <T> the record type: {@code GenericRecord}, or the generated class when specific
 */
public class AvroDeserializer<T extends GenericContainer> implements Deserializer<T> {
    private final RegistryClientHolder registry;
    private boolean isKey;
    private boolean specific;
    private Class<? extends SpecificRecord> readerType;
    private final Map<Schema, DatumReader<Object>> readers = new ConcurrentHashMap<>();

    /** A deserializer that creates its registry client in {@link #configure}. */
    public AvroDeserializer() {
        this.registry = RegistryClientHolder.owned("AvroDeserializer");
    }

    /**
     * A deserializer using {@code client}, which it does not close; usable without {@link
     * #configure} as a generic value deserializer.
     */
    public AvroDeserializer(SchemaRegistryClient client) {
        this.registry = RegistryClientHolder.borrowed("AvroDeserializer", client);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        this.isKey = isKey;
        this.specific = config.getBoolean(AvroSerdeConfig.SPECIFIC_AVRO_READER);
        this.readerType = config.specificReaderType(isKey);
        readers.clear();
        registry.configure(configs);
    }

    /** Deserializes a record framed with the 5-byte prefix. */
    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        SchemaRegistryClient client = registry.client();
        int id;
        try {
            id = ConfluentWireFormat.schemaId(data);
        } catch (SerializationException e) {
            throw failure(topic, "", e);
        }
        Schema writer = client.getSchemaById(id);
        return read(topic, "schema id " + id, writer, data, ConfluentWireFormat.HEADER_LENGTH);
    }

    /**
     * Deserializes a record whose schema is named by its {@link SchemaIdHeader} header ({@value
     * SchemaIdHeader#VALUE}, or {@value SchemaIdHeader#KEY} for a key deserializer), the body then
     * being bare Avro binary; without that header, by the 5-byte prefix, so that records of both
     * kinds of producers read from one topic. A GUID is resolved with the registry's {@code GET
     * /schemas/guids/{guid}}.
     */
    @Override
    public T deserialize(String topic, Headers headers, byte[] data) {
        Header header = headers == null ? null : headers.lastHeader(SchemaIdHeader.name(isKey));
        if (data == null || header == null) {
            return deserialize(topic, data);
        }
        SchemaIdHeader.SchemaRef ref;
        try {
            ref = SchemaIdHeader.parse(header.value());
        } catch (SerializationException e) {
            throw failure(topic, " (header " + header.key() + ")", e);
        }
        SchemaRegistryClient client = registry.client();
        if (ref instanceof SchemaIdHeader.ByGuid byGuid) {
            Schema writer = client.getSchemaByGuid(byGuid.guid());
            return read(topic, "schema GUID " + byGuid.guid(), writer, data, 0);
        }
        int id = ((SchemaIdHeader.ById) ref).id();
        return read(topic, "schema id " + id, client.getSchemaById(id), data, 0);
    }

    private T read(String topic, String schemaName, Schema writer, byte[] data, int offset) {
        try {
            DatumReader<Object> reader =
                    readers.computeIfAbsent(writer, schema -> newReader(schemaName, schema));
            BinaryDecoder decoder =
                    DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null);
            Object value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                // Leftover bytes mean the body was not written with this schema.
                throw new SerializationException(
                        "bytes left over after the record: the body does not match the schema");
            }
            @SuppressWarnings("unchecked")
            T record = (T) value;
            return record;
        } catch (IOException | RuntimeException e) {
            throw failure(topic, " (" + schemaName + ")", e);
        }
    }

    private DatumReader<Object> newReader(String schemaName, Schema writer) {
        if (!specific) {
            return new GenericDatumReader<>(writer, writer, GenericData.get());
        }
        Class<? extends SpecificRecord> type =
                readerType != null ? readerType : generatedClassFor(schemaName, writer);
        GeneratedClassData model = GeneratedClassData.of(type);
        return new SpecificDatumReader<>(writer, model.getSchema(type), model);
    }

    private Class<? extends SpecificRecord> generatedClassFor(String schemaName, Schema writer) {
        return GeneratedClassData.generatedClassFor(writer)
                .orElseThrow(
                        () ->
                                new SerializationException(
                                        String.format(
                                                "no generated class %s to read %s into;"
                                                        + " set %s, or %s=false",
                                                writer.getFullName(),
                                                schemaName,
                                                isKey
                                                        ? AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE
                                                        : AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE,
                                                AvroSerdeConfig.SPECIFIC_AVRO_READER)));
    }

    private static SerializationException failure(String topic, String detail, Exception e) {
        return new SerializationException(
                "Cannot deserialize Avro data from topic '"
                        + topic
                        + "'"
                        + detail
                        + ": "
                        + e.getMessage(),
                e);
    }

    @Override
    public void close() {
        registry.close();
    }
}
