package io.inceptionstreams.schemas.serde;

import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/** The name-based subject strategies need a named schema (record, enum or fixed). */
final class NamedSchemas {
    private NamedSchemas() {}

    static String fullName(Schema schema) {
        return switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> schema.getFullName();
            default ->
                    throw new SerializationException(
                            "A record name strategy needs a named schema (record, enum or fixed),"
                                    + " not "
                                    + schema.getType());
        };
    }
}
