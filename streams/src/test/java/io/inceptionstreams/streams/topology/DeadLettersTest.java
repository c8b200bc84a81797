package io.inceptionstreams.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.streams.engine.ClassificationOutcome;
import io.inceptionstreams.streams.engine.RejectionReason;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
    private static final PendingImage PENDING =
            new PendingImage(
                    5L,
                    "images",
                    1,
                    42,
                    "id".getBytes(StandardCharsets.UTF_8),
                    new byte[] {1, 2, 3},
                    new RecordHeaders());

    @Test
    void shouldNameItsHeadersAsKafkaStreamsOwnDeadLetterQueueDoes() {
        // The names are pinned here so that production code needs no Kafka internals
        assertThat(DeadLetters.EXCEPTION_HEADER)
                .isEqualTo(ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_NAME);
        assertThat(DeadLetters.MESSAGE_HEADER)
                .isEqualTo(ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_MESSAGE_NAME);
        assertThat(DeadLetters.STACK_TRACE_HEADER)
                .isEqualTo(ExceptionHandlerUtils.HEADER_ERRORS_STACKTRACE_NAME);
        assertThat(DeadLetters.TOPIC_HEADER)
                .isEqualTo(ExceptionHandlerUtils.HEADER_ERRORS_TOPIC_NAME);
        assertThat(DeadLetters.PARTITION_HEADER)
                .isEqualTo(ExceptionHandlerUtils.HEADER_ERRORS_PARTITION_NAME);
        assertThat(DeadLetters.OFFSET_HEADER)
                .isEqualTo(ExceptionHandlerUtils.HEADER_ERRORS_OFFSET_NAME);
    }

    @Test
    void shouldCutTheMessageAndTheStackTraceToTheirBounds() {
        // Given a failure with a huge message and a deep stack
        Exception deep = deepException(2_000, "x".repeat(100_000));

        // When it is dead-lettered
        Record<byte[], byte[]> deadLetter =
                DeadLetters.of(
                        PENDING,
                        "id",
                        new ClassificationOutcome.Rejected(RejectionReason.CORRUPT, deep));

        // Then its headers stay within the documented bounds, the original value intact
        assertThat(header(deadLetter, DeadLetters.MESSAGE_HEADER))
                .hasSize(DeadLetters.MAX_MESSAGE_CHARS);
        assertThat(header(deadLetter, DeadLetters.STACK_TRACE_HEADER))
                .hasSizeLessThanOrEqualTo(DeadLetters.MAX_STACK_TRACE_CHARS)
                .endsWith("...");
        assertThat(deadLetter.value()).containsExactly(1, 2, 3);
    }

    @Test
    void shouldLeaveTheValueOutAndNameTheOriginalOffsetWhenTooLarge() {
        Record<byte[], byte[]> deadLetter =
                DeadLetters.tooLarge(PENDING, "id", "the label", 2_000_000, 1_047_552);

        assertThat(deadLetter.value()).isNull();
        assertThat(deadLetter.key()).isEqualTo(PENDING.key());
        assertThat(header(deadLetter, DeadLetters.REASON_HEADER)).isEqualTo("OUTPUT_TOO_LARGE");
        assertThat(header(deadLetter, DeadLetters.MESSAGE_HEADER))
                .contains("the label of image id is 2000000 bytes")
                .contains("images-1 offset 42");
        assertThat(header(deadLetter, DeadLetters.OFFSET_HEADER)).isEqualTo("42");
    }

    private static Exception deepException(int depth, String message) {
        if (depth == 0) {
            return new IllegalStateException(message);
        }
        return deepException(depth - 1, message);
    }

    private static String header(Record<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
