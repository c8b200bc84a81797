package io.inceptionstreams.schemas.serde;

import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serializes Avro records ({@code SpecificRecord}s, {@code GenericRecord}s or any {@link
 * GenericContainer}) in Confluent's wire format ({@link ConfluentWireFormat}), byte for byte what
 * Confluent's {@code KafkaAvroSerializer} writes; or, with {@code value.schema.id.serializer} /
 * {@code key.schema.id.serializer} naming Confluent's {@code HeaderSchemaIdSerializer}, as that
 * does: the schema GUID in a record header ({@link SchemaIdHeader}) and the bare Avro body. A null
 * record is written as null (a tombstone), with no header.
 *
 * <p>Configure with the keys of {@link AvroSerdeConfig}, at least {@code schema.registry.url}:
 *
 * <pre>{@code
 * props.put("value.serializer", AvroSerializer.class);
 * props.put("schema.registry.url", "http://registry:8081");
 * props.put("auto.register.schemas", false); // default true
 * }</pre>
 *
 * or build it with a {@link SchemaRegistryClient} of your own, usable then without {@link
 * #configure} as a value serializer with the default settings.
 *
 * @param <T> the record type
 */
public class AvroSerializer<T extends GenericContainer> implements Serializer<T> {
    private static final Logger log = LoggerFactory.getLogger(AvroSerializer.class);

    private final RegistryClientHolder registry;
    private boolean isKey;
    private boolean autoRegister = true;
    private boolean useLatestVersion;
    private SubjectNameStrategy subjectNameStrategy = new TopicNameStrategy();
    private SchemaIdLocation schemaIdLocation = SchemaIdLocation.PREFIX;
    private final Map<WriterKey, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final Map<SchemaPair, GenericDatumReader<Object>> converters =
            new ConcurrentHashMap<>();

    /** The schema the bytes are written with, and its registry id. */
    private record Target(int id, Schema schema) {}

    private record WriterKey(Schema schema, boolean specific) {}

    private record SchemaPair(Schema reader, Schema writer) {}

    /** A serializer that creates its registry client in {@link #configure}. */
    public AvroSerializer() {
        this.registry = RegistryClientHolder.owned("AvroSerializer");
    }

    /** A serializer using {@code client}, which it does not close. */
    public AvroSerializer(SchemaRegistryClient client) {
        this.registry = RegistryClientHolder.borrowed("AvroSerializer", client);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        this.isKey = isKey;
        this.autoRegister = config.getBoolean(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS);
        this.useLatestVersion = config.getBoolean(AvroSerdeConfig.USE_LATEST_VERSION);
        this.subjectNameStrategy = config.subjectNameStrategy(isKey);
        this.schemaIdLocation = config.schemaIdLocation(isKey);
        if (autoRegister && useLatestVersion) {
            log.warn(
                    "{}=true has no effect while {}=true: records are serialized with their own"
                            + " schema, registered",
                    AvroSerdeConfig.USE_LATEST_VERSION,
                    AvroSerdeConfig.AUTO_REGISTER_SCHEMAS);
        }
        registry.configure(configs);
    }

    /**
     * Serializes with the schema id in the 5-byte prefix.
     *
     * @throws SerializationException when configured to write the id in a header, which needs
     *     {@link #serialize(String, Headers, GenericContainer)}
     */
    @Override
    public byte[] serialize(String topic, T record) {
        return serialize(topic, null, record);
    }

    /**
     * Serializes with the schema id in the 5-byte prefix or, with {@code
     * value.schema.id.serializer} / {@code key.schema.id.serializer} set to {@code
     * HeaderSchemaIdSerializer}, with the schema GUID in the {@link SchemaIdHeader} header, which
     * replaces any header of that name, and a bare Avro body.
     */
    @Override
    public byte[] serialize(String topic, Headers headers, T record) {
        if (record == null) {
            return null;
        }
        Schema schema = record.getSchema();
        String subject = subjectNameStrategy.subjectName(topic, isKey, schema);
        boolean inHeader = schemaIdLocation == SchemaIdLocation.HEADER;
        if (inHeader && headers == null) {
            throw new SerializationException(
                    "Cannot write the schema id of a "
                            + schema.getFullName()
                            + " for topic '"
                            + topic
                            + "' in a header: "
                            + (isKey
                                    ? AvroSerdeConfig.KEY_SCHEMA_ID_SERIALIZER
                                    : AvroSerdeConfig.VALUE_SCHEMA_ID_SERIALIZER)
                            + " is HeaderSchemaIdSerializer but the record has no headers");
        }
        Target target = target(subject, schema);
        byte[] idHeader =
                inHeader ? SchemaIdHeader.ofGuid(registry.client().getGuidById(target.id())) : null;
        byte[] body;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!inHeader) {
                out.writeBytes(ConfluentWireFormat.header(target.id()));
            }
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            if (target.schema().equals(schema)) {
                writer(record).write(record, encoder);
            } else {
                genericWriter(target.schema()).write(convert(record, target.schema()), encoder);
            }
            body = out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "Cannot serialize a "
                            + schema.getFullName()
                            + " for topic '"
                            + topic
                            + "' (subject '"
                            + subject
                            + "', schema id "
                            + target.id()
                            + "): "
                            + e.getMessage(),
                    e);
        }
        if (inHeader) {
            String name = SchemaIdHeader.name(isKey);
            headers.remove(name);
            headers.add(name, idHeader);
        }
        return body;
    }

    private Target target(String subject, Schema schema) {
        SchemaRegistryClient client = registry.client();
        if (autoRegister) {
            return new Target(client.register(subject, schema), schema);
        }
        if (useLatestVersion) {
            var latest = client.getLatestVersion(subject);
            return new Target(latest.id(), latest.schema());
        }
        return new Target(client.getId(subject, schema), schema);
    }

    private DatumWriter<Object> writer(T record) {
        if (!(record instanceof SpecificRecord)) {
            return genericWriter(record.getSchema());
        }
        return writers.computeIfAbsent(
                new WriterKey(record.getSchema(), true),
                key ->
                        new SpecificDatumWriter<>(
                                key.schema(), SpecificData.getForClass(record.getClass())));
    }

    private DatumWriter<Object> genericWriter(Schema schema) {
        return writers.computeIfAbsent(
                new WriterKey(schema, false),
                key -> new GenericDatumWriter<>(key.schema(), GenericData.get()));
    }

    /**
     * Re-expresses {@code record} in {@code latest} through Avro schema resolution, since the bytes
     * must match the schema whose id they carry.
     */
    private Object convert(T record, Schema latest) throws IOException {
        GenericDatumReader<Object> converter =
                converters.computeIfAbsent(
                        new SchemaPair(latest, record.getSchema()),
                        pair -> {
                            var compatibility =
                                    SchemaCompatibility.checkReaderWriterCompatibility(
                                            pair.reader(), pair.writer());
                            if (compatibility.getType()
                                    != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                                throw new SerializationException(
                                        "the latest version of the subject cannot represent the"
                                                + " record's schema: "
                                                + compatibility.getDescription());
                            }
                            return new GenericDatumReader<>(
                                    pair.writer(), pair.reader(), GenericData.get());
                        });
        ByteArrayOutputStream own = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(own, null);
        writer(record).write(record, encoder);
        return converter.read(null, DecoderFactory.get().binaryDecoder(own.toByteArray(), null));
    }

    @Override
    public void close() {
        registry.close();
    }
}
