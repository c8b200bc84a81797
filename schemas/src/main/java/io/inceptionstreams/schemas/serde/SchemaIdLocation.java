package io.inceptionstreams.schemas.serde;

import org.apache.kafka.common.config.ConfigException;

/**
 * Where the serializer writes the schema id, chosen with {@code value.schema.id.serializer} /
 * {@code key.schema.id.serializer} by the names of Confluent's classes.
 */
enum SchemaIdLocation {
    /** The 5-byte prefix of the payload, {@link ConfluentWireFormat}: Confluent's default. */
    PREFIX("PrefixSchemaIdSerializer"),
    /** The schema GUID in a record header, {@link SchemaIdHeader}, and a bare Avro payload. */
    HEADER("HeaderSchemaIdSerializer");

    static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.schema.id.";

    private final String simpleName;

    SchemaIdLocation(String simpleName) {
        this.simpleName = simpleName;
    }

    String confluentClassName() {
        return CONFLUENT_PACKAGE + simpleName;
    }

    /**
     * The location a configured name denotes: Confluent's class name or its simple name.
     *
     * @throws ConfigException for any other name
     */
    static SchemaIdLocation forName(String configName, String value) {
        String simple =
                value != null && value.startsWith(CONFLUENT_PACKAGE)
                        ? value.substring(CONFLUENT_PACKAGE.length())
                        : value;
        for (SchemaIdLocation location : values()) {
            if (location.simpleName.equals(simple)) {
                return location;
            }
        }
        throw new ConfigException(
                configName,
                value,
                "expected "
                        + PREFIX.confluentClassName()
                        + " or "
                        + HEADER.confluentClassName()
                        + " (or their simple names)");
    }
}
