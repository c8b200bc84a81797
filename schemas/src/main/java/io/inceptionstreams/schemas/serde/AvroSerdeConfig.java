package io.inceptionstreams.schemas.serde;

import io.inceptionstreams.schemas.registry.SchemaRegistryClientConfig;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The configuration of {@link AvroSerializer}, {@link AvroDeserializer} and their serdes: the keys
 * of {@link SchemaRegistryClientConfig} ({@code schema.registry.url}, {@code basic.auth.*},
 * timeouts) and these, named and meaning as in Confluent's {@code KafkaAvroSerializer} and {@code
 * KafkaAvroDeserializer}:
 *
 * <table>
 *   <caption>Avro serde configuration</caption>
 *   <tr><th>Key</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>{@value #AUTO_REGISTER_SCHEMAS}</td><td>true</td>
 *       <td>The serializer registers the record's schema under its subject. When false it looks
 *       the schema up and fails if it is not registered.</td></tr>
 *   <tr><td>{@value #USE_LATEST_VERSION}</td><td>false</td>
 *       <td>With {@value #AUTO_REGISTER_SCHEMAS}=false, the serializer writes with the latest
 *       version of the subject instead of the record's own schema, converting the record when
 *       they differ (the latest version must be able to read the record's schema).</td></tr>
 *   <tr><td>{@value #SPECIFIC_AVRO_READER}</td><td>false</td>
 *       <td>The deserializer returns generated {@code SpecificRecord}s, of the class named like
 *       the writer schema or of {@value #SPECIFIC_AVRO_KEY_TYPE} / {@value
 *       #SPECIFIC_AVRO_VALUE_TYPE}; otherwise {@code GenericRecord}s.</td></tr>
 *   <tr><td>{@value #SPECIFIC_AVRO_KEY_TYPE}, {@value #SPECIFIC_AVRO_VALUE_TYPE}</td>
 *       <td>none</td><td>The generated class to read keys / values into, whose schema is then
 *       the reader schema whatever the writer schema.</td></tr>
 *   <tr><td>{@value #KEY_SUBJECT_NAME_STRATEGY}, {@value #VALUE_SUBJECT_NAME_STRATEGY}</td>
 *       <td>{@code TopicNameStrategy}</td><td>How the serializer names subjects, see {@link
 *       SubjectNameStrategy}; Confluent's class names are accepted.</td></tr>
 *   <tr><td>{@value #KEY_SCHEMA_ID_SERIALIZER}, {@value #VALUE_SCHEMA_ID_SERIALIZER}</td>
 *       <td>{@code ...PrefixSchemaIdSerializer}</td><td>Where the serializer writes the schema
 *       id, by the names of Confluent's classes (full or simple): {@value
 *       #PREFIX_SCHEMA_ID_SERIALIZER}, the 5-byte payload prefix; or {@value
 *       #HEADER_SCHEMA_ID_SERIALIZER}, the schema GUID in the {@code __key_schema_id} / {@code
 *       __value_schema_id} record header and a bare Avro payload ({@link SchemaIdHeader}). The
 *       deserializer needs no setting: it reads the header when there is one, else the
 *       prefix.</td></tr>
 * </table>
 */
public final class AvroSerdeConfig extends AbstractConfig {
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";
    public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    public static final String KEY_SCHEMA_ID_SERIALIZER = "key.schema.id.serializer";
    public static final String VALUE_SCHEMA_ID_SERIALIZER = "value.schema.id.serializer";

    /** The default of the schema-id serializers: Confluent's prefix framing. */
    public static final String PREFIX_SCHEMA_ID_SERIALIZER =
            "io.confluent.kafka.serializers.schema.id.PrefixSchemaIdSerializer";

    /**
     * Confluent's header framing: the schema GUID in {@code __value_schema_id} / {@code
     * __key_schema_id}.
     */
    public static final String HEADER_SCHEMA_ID_SERIALIZER =
            "io.confluent.kafka.serializers.schema.id.HeaderSchemaIdSerializer";

    private static final ConfigDef.Validator SCHEMA_ID_SERIALIZER_VALIDATOR =
            (name, value) -> SchemaIdLocation.forName(name, (String) value);

    private static final ConfigDef.Validator STRATEGY_VALIDATOR =
            (name, value) -> {
                if (value == null) {
                    throw new ConfigException(name, null, "a subject name strategy is required");
                }
                SubjectNameStrategy.forName((String) value);
            };

    private static final ConfigDef.Validator SPECIFIC_RECORD_CLASS_VALIDATOR =
            (name, value) -> {
                if (value != null && !SpecificRecord.class.isAssignableFrom((Class<?>) value)) {
                    throw new ConfigException(name, value, "not a generated SpecificRecord class");
                }
            };

    private static final ConfigDef CONFIG_DEF =
            SchemaRegistryClientConfig.configDef()
                    .define(
                            AUTO_REGISTER_SCHEMAS,
                            Type.BOOLEAN,
                            true,
                            Importance.MEDIUM,
                            "Register the record's schema when serializing.")
                    .define(
                            USE_LATEST_VERSION,
                            Type.BOOLEAN,
                            false,
                            Importance.MEDIUM,
                            "Serialize with the latest version of the subject.")
                    .define(
                            SPECIFIC_AVRO_READER,
                            Type.BOOLEAN,
                            false,
                            Importance.MEDIUM,
                            "Deserialize into generated SpecificRecord classes.")
                    .define(
                            SPECIFIC_AVRO_KEY_TYPE,
                            Type.CLASS,
                            null,
                            SPECIFIC_RECORD_CLASS_VALIDATOR,
                            Importance.LOW,
                            "The SpecificRecord class keys are read into.")
                    .define(
                            SPECIFIC_AVRO_VALUE_TYPE,
                            Type.CLASS,
                            null,
                            SPECIFIC_RECORD_CLASS_VALIDATOR,
                            Importance.LOW,
                            "The SpecificRecord class values are read into.")
                    .define(
                            KEY_SUBJECT_NAME_STRATEGY,
                            Type.STRING,
                            TopicNameStrategy.class.getName(),
                            STRATEGY_VALIDATOR,
                            Importance.MEDIUM,
                            "Subject name strategy for keys.")
                    .define(
                            VALUE_SUBJECT_NAME_STRATEGY,
                            Type.STRING,
                            TopicNameStrategy.class.getName(),
                            STRATEGY_VALIDATOR,
                            Importance.MEDIUM,
                            "Subject name strategy for values.")
                    .define(
                            KEY_SCHEMA_ID_SERIALIZER,
                            Type.STRING,
                            PREFIX_SCHEMA_ID_SERIALIZER,
                            SCHEMA_ID_SERIALIZER_VALIDATOR,
                            Importance.LOW,
                            "Where the key serializer writes the schema id: the payload prefix"
                                    + " (PrefixSchemaIdSerializer) or the __key_schema_id header"
                                    + " (HeaderSchemaIdSerializer).")
                    .define(
                            VALUE_SCHEMA_ID_SERIALIZER,
                            Type.STRING,
                            PREFIX_SCHEMA_ID_SERIALIZER,
                            SCHEMA_ID_SERIALIZER_VALIDATOR,
                            Importance.LOW,
                            "Where the value serializer writes the schema id: the payload prefix"
                                    + " (PrefixSchemaIdSerializer) or the __value_schema_id header"
                                    + " (HeaderSchemaIdSerializer).");

    public AvroSerdeConfig(Map<String, ?> originals) {
        super(CONFIG_DEF, originals, false);
    }

    SubjectNameStrategy subjectNameStrategy(boolean isKey) {
        return SubjectNameStrategy.forName(
                getString(isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY));
    }

    SchemaIdLocation schemaIdLocation(boolean isKey) {
        String name = isKey ? KEY_SCHEMA_ID_SERIALIZER : VALUE_SCHEMA_ID_SERIALIZER;
        return SchemaIdLocation.forName(name, getString(name));
    }

    /** The configured reader class, or null to take the class named like the writer schema. */
    Class<? extends SpecificRecord> specificReaderType(boolean isKey) {
        Class<?> type = getClass(isKey ? SPECIFIC_AVRO_KEY_TYPE : SPECIFIC_AVRO_VALUE_TYPE);
        return type == null ? null : type.asSubclass(SpecificRecord.class);
    }
}
