package io.inceptionstreams.streams.topology;

import io.inceptionstreams.schemas.avro.ImageEvent;

/**
 * An image event as read from the source topic: the decoded event and the exact bytes it was read
 * from.
 *
 * <p>Why keep the bytes: a dead-letter record must carry the original value, and re-serializing the
 * decoded event would not give it back (the producer may have written with another schema version,
 * so another id and body). The pending store keeps these bytes too, so a restored entry is decoded
 * by the same serde path as a fresh one.
 *
 * @param bytes the Confluent-framed value
 */
public record SourceImage(byte[] bytes, ImageEvent event) {}
