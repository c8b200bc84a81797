package io.inceptionstreams.schemas.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's framing of a serialized record: the magic byte 0, the schema id as a 4-byte
 * big-endian int, then the Avro binary encoding of the record with that schema.
 *
 * <pre>
 * | 0x00 | id (4 bytes, big-endian) | Avro binary body |
 * </pre>
 */
public final class ConfluentWireFormat {
    public static final byte MAGIC_BYTE = 0x0;
    public static final int HEADER_LENGTH = 1 + Integer.BYTES;

    private ConfluentWireFormat() {}

    /** The 5 bytes that precede the body of a record written with schema {@code schemaId}. */
    public static byte[] header(int schemaId) {
        return ByteBuffer.allocate(HEADER_LENGTH).put(MAGIC_BYTE).putInt(schemaId).array();
    }

    /**
     * The schema id of a framed record; its body starts at {@link #HEADER_LENGTH}.
     *
     * @throws SerializationException when {@code frame} is too short or not magic byte 0
     */
    public static int schemaId(byte[] frame) {
        if (frame.length < HEADER_LENGTH) {
            throw new SerializationException(
                    "Frame of "
                            + frame.length
                            + " bytes is shorter than the "
                            + HEADER_LENGTH
                            + "-byte header (magic byte and schema id)");
        }
        if (frame[0] != MAGIC_BYTE) {
            throw new SerializationException(
                    String.format(
                            "Unknown magic byte 0x%02x, expected 0x%02x: not Confluent-framed Avro",
                            frame[0], MAGIC_BYTE));
        }
        return ByteBuffer.wrap(frame, 1, Integer.BYTES).getInt();
    }
}
