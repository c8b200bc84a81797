package io.inceptionstreams.streams.engine;

import io.inceptionstreams.model.preprocess.ImageRejectedException;

/**
 * Why an image went to the dead-letter topic instead of being classified; the value of the {@code
 * inception.reason} header. Every reason is the image's fault, never the service's: a failure of
 * the engine itself fails the task instead, so that the image is retried, not dead-lettered.
 */
public enum RejectionReason {
    /**
     * The record's value is not a readable image event: a wrong magic byte, an unknown schema id,
     * truncated or invalid Avro, a tombstone.
     */
    UNREADABLE_EVENT,
    /** More encoded bytes than {@code image.max.bytes}. */
    TOO_LARGE,
    /** Declared dimensions over {@code image.max.pixels}. */
    TOO_MANY_PIXELS,
    /**
     * The raster the header declares, width x height x bands x bytes per sample, is over {@code
     * image.max.decoded.bytes}; checked before decoding.
     */
    TOO_MANY_DECODED_BYTES,
    /** Not an image, or a format that cannot be decoded here. */
    UNSUPPORTED_TYPE,
    /** An image format, but empty, truncated or damaged. */
    CORRUPT,
    /** A reference with a scheme other than file:, http: or https:, or http(s): while disabled. */
    UNSUPPORTED_REFERENCE,
    /**
     * A file: reference outside {@code reference.file.roots} (including via symlinks or ..) or to
     * something other than a regular file, or an http(s): reference to a host that resolves to a
     * loopback, link-local, private or other non-public address while {@code
     * reference.http.allow.private} is false.
     */
    REFERENCE_NOT_ALLOWED,
    /** The referenced image could not be fetched: missing, unreachable, HTTP error, timeout. */
    REFERENCE_UNAVAILABLE,
    /** The fetched bytes do not match the reference's sha256. */
    CHECKSUM_MISMATCH,
    /**
     * The heap ran out while this image was fetched or decoded (an {@link OutOfMemoryError} on a
     * preprocessing thread); the image is dead-lettered rather than retried, since it would only
     * exhaust the heap again.
     */
    RESOURCE_EXHAUSTED,
    /**
     * Not classified within {@code image.timeout.ms} of its submission to the engine, while the
     * engine itself kept classifying (a stuck engine fails the task instead); the processor
     * completes the image's future with this reason (the engine never does).
     */
    TIMEOUT,
    /**
     * The label, the dead letter, or the pending-store entry of the image would exceed the
     * producer's {@code max.request.size}; the dead letter then carries no value, only headers, and
     * names the source offset of the original.
     */
    OUTPUT_TOO_LARGE;

    static RejectionReason of(ImageRejectedException.Reason reason) {
        return switch (reason) {
            case TOO_LARGE -> TOO_LARGE;
            case TOO_MANY_PIXELS -> TOO_MANY_PIXELS;
            case TOO_MANY_DECODED_BYTES -> TOO_MANY_DECODED_BYTES;
            case UNSUPPORTED_TYPE -> UNSUPPORTED_TYPE;
            case CORRUPT -> CORRUPT;
        };
    }
}
