package io.inceptionstreams.streams.topology;

import io.inceptionstreams.schemas.avro.ImageEvent;

/**
 * An image event as read from the source topic: the decoded event and the exact bytes it was read
 * from, or, when the bytes could not be read, why not.
 *
 * <p>Why keep the bytes: a dead-letter record must carry the original value, and re-serializing the
 * decoded event would not give it back (the producer may have written with another schema version,
 * so another id and body). The pending store keeps these bytes too, so a restored entry is decoded
 * by the same serde path as a fresh one.
 *
 * @param bytes the Confluent-framed value; null for a tombstone
 * @param event the decoded event, or null when the value could not be read
 * @param readFailure why the value could not be read, or null when it was read
 * @param retriable whether the failure was transient (the schema registry did not answer), so the
 *     record is to be read again later rather than dead-lettered
 */
public record SourceImage(
        byte[] bytes, ImageEvent event, RuntimeException readFailure, boolean retriable) {

    public SourceImage(byte[] bytes, ImageEvent event) {
        this(bytes, event, null, false);
    }

    static SourceImage unreadable(byte[] bytes, RuntimeException readFailure) {
        return new SourceImage(bytes, null, readFailure, false);
    }

    static SourceImage notYetReadable(byte[] bytes, RuntimeException readFailure) {
        return new SourceImage(bytes, null, readFailure, true);
    }

    boolean readable() {
        return event != null;
    }
}
