package io.inceptionstreams.streams.topology;

import io.inceptionstreams.streams.engine.ClassificationOutcome;
import io.inceptionstreams.streams.engine.RejectionReason;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead-letter records for the records the service cannot classify (rejected by the engine, or not
 * readable as events), in the layout of Kafka Streams' own DLQ (KIP-1034) so that one consumer
 * reads both kinds: the original key, value, timestamp and headers, plus Kafka's {@code
 * __streams.errors.*} headers (exception class, message, stack trace, source topic, partition and
 * offset, all UTF-8 strings). Two headers of this service are added:
 *
 * <ul>
 *   <li>{@value #IMAGE_ID_HEADER}: the image id of the event;
 *   <li>{@value #REASON_HEADER}: the {@link RejectionReason}.
 * </ul>
 *
 * For a record whose value is not a readable event ({@code UNREADABLE_EVENT}) the image id is the
 * record key, read as UTF-8.
 *
 * <p>Every dead letter must fit the producer's {@code max.request.size}: the message is cut to
 * {@value #MAX_MESSAGE_CHARS} characters and the stack trace to {@value #MAX_STACK_TRACE_CHARS}; a
 * dead letter that is still too large (an original value near the limit) goes out without its value
 * as {@code OUTPUT_TOO_LARGE}, naming the source offset the original can be read from.
 */
public final class DeadLetters {
    public static final String IMAGE_ID_HEADER = "inception.image.id";
    public static final String REASON_HEADER = "inception.reason";

    /** The header names of Kafka Streams' DLQ records, as Kafka 4.3 writes them. */
    public static final String EXCEPTION_HEADER = "__streams.errors.exception";

    public static final String MESSAGE_HEADER = "__streams.errors.message";
    public static final String STACK_TRACE_HEADER = "__streams.errors.stacktrace";
    public static final String TOPIC_HEADER = "__streams.errors.topic";
    public static final String PARTITION_HEADER = "__streams.errors.partition";
    public static final String OFFSET_HEADER = "__streams.errors.offset";

    public static final int MAX_MESSAGE_CHARS = 1024;
    public static final int MAX_STACK_TRACE_CHARS = 8 * 1024;

    private DeadLetters() {}

    static Record<byte[], byte[]> of(
            PendingImage pending, String imageId, ClassificationOutcome.Rejected rejection) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : pending.headers()) {
            headers.add(header);
        }
        Exception cause = rejection.cause();
        StringWriter stackTrace = new StringWriter();
        cause.printStackTrace(new PrintWriter(stackTrace));
        add(headers, EXCEPTION_HEADER, cause.getClass().getName());
        add(headers, MESSAGE_HEADER, cut(cause.getMessage(), MAX_MESSAGE_CHARS));
        add(headers, STACK_TRACE_HEADER, cut(stackTrace.toString(), MAX_STACK_TRACE_CHARS));
        addOrigin(headers, pending, imageId);
        add(headers, REASON_HEADER, rejection.reason().name());
        return new Record<>(pending.key(), pending.value(), pending.timestamp(), headers);
    }

    /**
     * The dead letter of {@code pending} when its full form is over the producer's limit: headers
     * only (the original headers left out too), reason {@code OUTPUT_TOO_LARGE}, and a message
     * naming the reason it would have had and where the original record is.
     */
    static Record<byte[], byte[]> tooLarge(
            PendingImage pending, String imageId, String what, long size, long limit) {
        RecordHeaders headers = new RecordHeaders();
        add(headers, EXCEPTION_HEADER, RecordTooLargeException.class.getName());
        add(
                headers,
                MESSAGE_HEADER,
                cut(
                        String.format(
                                "%s of image %s is %d bytes, over max.request.size %d; the"
                                        + " original record is %s-%d offset %d",
                                what,
                                imageId,
                                size,
                                limit,
                                pending.topic(),
                                pending.partition(),
                                pending.offset()),
                        MAX_MESSAGE_CHARS));
        addOrigin(headers, pending, imageId);
        add(headers, REASON_HEADER, RejectionReason.OUTPUT_TOO_LARGE.name());
        return new Record<>(pending.key(), null, pending.timestamp(), headers);
    }

    /** The bytes of a record as the producer counts them, less its small fixed overhead. */
    static long size(byte[] key, byte[] value, Headers headers) {
        long size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header header : headers) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    private static void addOrigin(RecordHeaders headers, PendingImage pending, String imageId) {
        add(headers, TOPIC_HEADER, pending.topic());
        add(headers, PARTITION_HEADER, String.valueOf(pending.partition()));
        add(headers, OFFSET_HEADER, String.valueOf(pending.offset()));
        add(headers, IMAGE_ID_HEADER, imageId);
    }

    private static String cut(String text, int maxChars) {
        if (text == null || text.length() <= maxChars) {
            return text;
        }
        return text.substring(0, maxChars - 3) + "...";
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }
}
