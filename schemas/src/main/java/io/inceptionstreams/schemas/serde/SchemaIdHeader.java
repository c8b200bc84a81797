package io.inceptionstreams.schemas.serde;

import java.nio.ByteBuffer;
import java.util.UUID;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's other place for the schema id (Confluent 8.0 and later): a record header, {@value
 * #VALUE} for values and {@value #KEY} for keys, while the key or value itself is the plain Avro
 * binary body, with no 5-byte prefix ({@link ConfluentWireFormat}). Confluent's {@code
 * HeaderSchemaIdSerializer} writes the schema GUID:
 *
 * <pre>
 * | 0x01 | GUID (16 bytes, most significant first) |
 * </pre>
 *
 * and a header may also hold a schema id, as the prefix does: {@code | 0x00 | id (4 bytes,
 * big-endian) |}; readers accept both.
 */
public final class SchemaIdHeader {
    public static final String KEY = "__key_schema_id";
    public static final String VALUE = "__value_schema_id";
    public static final byte MAGIC_BYTE_ID = 0x0;
    public static final byte MAGIC_BYTE_GUID = 0x1;
    public static final int GUID_LENGTH = 1 + 2 * Long.BYTES;
    public static final int ID_LENGTH = 1 + Integer.BYTES;

    private SchemaIdHeader() {}

    /** What a header names: a schema id or a schema GUID, exactly one of them. */
    public sealed interface SchemaRef permits ById, ByGuid {}

    public record ById(int id) implements SchemaRef {}

    public record ByGuid(UUID guid) implements SchemaRef {}

    /** The header name for keys or values. */
    public static String name(boolean isKey) {
        return isKey ? KEY : VALUE;
    }

    /** The header value naming the schema {@code guid}. */
    public static byte[] ofGuid(UUID guid) {
        return ByteBuffer.allocate(GUID_LENGTH)
                .put(MAGIC_BYTE_GUID)
                .putLong(guid.getMostSignificantBits())
                .putLong(guid.getLeastSignificantBits())
                .array();
    }

    /**
     * The schema a header value names.
     *
     * @throws SerializationException when the value is null, of the wrong length for its magic
     *     byte, or of an unknown magic byte
     */
    public static SchemaRef parse(byte[] value) {
        if (value == null || value.length == 0) {
            throw new SerializationException("Schema-id header without value");
        }
        ByteBuffer buffer = ByteBuffer.wrap(value, 1, value.length - 1);
        if (value[0] == MAGIC_BYTE_GUID && value.length == GUID_LENGTH) {
            return new ByGuid(new UUID(buffer.getLong(), buffer.getLong()));
        }
        if (value[0] == MAGIC_BYTE_ID && value.length == ID_LENGTH) {
            return new ById(buffer.getInt());
        }
        if (value[0] == MAGIC_BYTE_GUID || value[0] == MAGIC_BYTE_ID) {
            throw new SerializationException(
                    String.format(
                            "Schema-id header of %d bytes with magic byte 0x%02x: expected %d bytes",
                            value.length,
                            value[0],
                            value[0] == MAGIC_BYTE_GUID ? GUID_LENGTH : ID_LENGTH));
        }
        throw new SerializationException(
                String.format(
                        "Schema-id header with unknown magic byte 0x%02x, expected 0x%02x (GUID)"
                                + " or 0x%02x (id)",
                        value[0], MAGIC_BYTE_GUID, MAGIC_BYTE_ID));
    }
}
