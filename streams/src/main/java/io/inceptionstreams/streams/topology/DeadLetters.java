package io.inceptionstreams.streams.topology;

import static org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_MESSAGE_NAME;
import static org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_NAME;
import static org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils.HEADER_ERRORS_OFFSET_NAME;
import static org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils.HEADER_ERRORS_PARTITION_NAME;
import static org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils.HEADER_ERRORS_STACKTRACE_NAME;
import static org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils.HEADER_ERRORS_TOPIC_NAME;

import io.inceptionstreams.streams.engine.ClassificationOutcome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead-letter records for the records the service cannot classify (rejected by the engine, or not
 * readable as events), in the layout of Kafka Streams' own DLQ (KIP-1034) so that one consumer
 * reads both kinds: the original key, value, timestamp and headers, plus Kafka's {@code
 * __streams.errors.*} headers (exception class, message, stack trace, source topic, partition and
 * offset, all UTF-8 strings). The header names are taken from Kafka's {@code ExceptionHandlerUtils}
 * rather than copied, so they cannot drift from what Kafka writes. Two headers of this service are
 * added:
 *
 * <ul>
 *   <li>{@value #IMAGE_ID_HEADER}: the image id of the event;
 *   <li>{@value #REASON_HEADER}: the {@link io.inceptionstreams.streams.engine.RejectionReason}.
 * </ul>
 *
 * For a record whose value is not a readable event ({@code UNREADABLE_EVENT}) the image id is the
 * record key, read as UTF-8.
 */
public final class DeadLetters {
    public static final String IMAGE_ID_HEADER = "inception.image.id";
    public static final String REASON_HEADER = "inception.reason";

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
        add(headers, HEADER_ERRORS_EXCEPTION_NAME, cause.getClass().getName());
        add(headers, HEADER_ERRORS_EXCEPTION_MESSAGE_NAME, cause.getMessage());
        add(headers, HEADER_ERRORS_STACKTRACE_NAME, stackTrace.toString());
        add(headers, HEADER_ERRORS_TOPIC_NAME, pending.topic());
        add(headers, HEADER_ERRORS_PARTITION_NAME, String.valueOf(pending.partition()));
        add(headers, HEADER_ERRORS_OFFSET_NAME, String.valueOf(pending.offset()));
        add(headers, IMAGE_ID_HEADER, imageId);
        add(headers, REASON_HEADER, rejection.reason().name());
        return new Record<>(pending.key(), pending.value(), pending.timestamp(), headers);
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }
}
