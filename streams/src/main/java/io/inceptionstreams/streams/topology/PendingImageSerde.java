package io.inceptionstreams.streams.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The changelog format of {@link PendingImage}: a version byte, then the fields in order, byte
 * arrays and strings length-prefixed (-1 for null). A plain binary layout rather than Avro because
 * the value inside is already Avro and only this processor ever reads it; the version byte leaves
 * room to change it. An entry that cannot be read back is returned as {@link
 * PendingImage#unreadable}, so that the processor dead-letters it instead of failing on it.
 */
public final class PendingImageSerde implements Serde<PendingImage> {
    private static final byte VERSION = 1;
    private static final Charset UTF8 = StandardCharsets.UTF_8;

    @Override
    public Serializer<PendingImage> serializer() {
        return (topic, pending) -> pending == null ? null : write(pending);
    }

    @Override
    public Deserializer<PendingImage> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return read(bytes);
            } catch (RuntimeException e) {
                // Never thrown at the processor: an entry it cannot read is dead-lettered.
                return PendingImage.unreadable(bytes, e);
            }
        };
    }

    private static byte[] write(PendingImage pending) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(VERSION);
            out.writeLong(pending.timestamp());
            writeBytes(out, pending.topic() == null ? null : pending.topic().getBytes(UTF8));
            out.writeInt(pending.partition());
            out.writeLong(pending.offset());
            writeBytes(out, pending.key());
            writeBytes(out, pending.value());
            Header[] headers = pending.headers().toArray();
            out.writeInt(headers.length);
            for (Header header : headers) {
                writeBytes(out, header.key().getBytes(UTF8));
                writeBytes(out, header.value());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return buffer.toByteArray();
    }

    private static PendingImage read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException(
                        "Unknown pending-image format version "
                                + version
                                + ", expected "
                                + VERSION);
            }
            long timestamp = in.readLong();
            byte[] topic = readBytes(in);
            int partition = in.readInt();
            long offset = in.readLong();
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            RecordHeaders headers = new RecordHeaders();
            for (int i = in.readInt(); i > 0; i--) {
                headers.add(new String(readBytes(in), UTF8), readBytes(in));
            }
            return new PendingImage(
                    timestamp,
                    topic == null ? null : new String(topic, UTF8),
                    partition,
                    offset,
                    key,
                    value,
                    headers);
        } catch (IOException e) {
            throw new SerializationException("Truncated pending-image record", e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        if (bytes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        if (length > in.available()) {
            throw new SerializationException(
                    "Pending-image field of " + length + " bytes in a shorter record");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
