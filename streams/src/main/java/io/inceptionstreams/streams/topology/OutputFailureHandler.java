package io.inceptionstreams.streams.topology;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails the task when an output cannot be produced, with one log line naming the output topic and
 * the source record's topic-partition-offset, and never writes a dead letter.
 *
 * <p>The classify processor serializes labels and dead letters itself and keeps them under the
 * producer's {@code max.request.size} (see {@link ClassifyProcessor}), so what reaches this handler
 * is a fault of the cluster or the configuration, not of the image: failing the task leaves the
 * image in the pending store, to be produced again. Kafka's default handler, with a dead-letter
 * topic configured, would instead write the record being processed when the send failed (an
 * innocent image, or a record with neither key nor value when it failed in the punctuator).
 */
public final class OutputFailureHandler implements ProductionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(OutputFailureHandler.class);

    @Override
    public Response handleError(
            ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception e) {
        log.error(
                "cannot produce to {} ({} bytes) for source {}-{} offset {} of task {}: {};"
                        + " failing the task, its images stay pending",
                record.topic(),
                size(record),
                context.topic(),
                context.partition(),
                context.offset(),
                context.taskId(),
                e.toString());
        return Response.fail();
    }

    @Override
    public Response handleSerializationError(
            ErrorHandlerContext context,
            ProducerRecord record,
            Exception e,
            SerializationExceptionOrigin origin) {
        log.error(
                "cannot serialize the {} of a record for {} (source {}-{} offset {} of task {}):"
                        + " {}; failing the task, its images stay pending",
                origin == SerializationExceptionOrigin.KEY ? "key" : "value",
                record.topic(),
                context.topic(),
                context.partition(),
                context.offset(),
                context.taskId(),
                e.toString());
        return Response.fail();
    }

    private static long size(ProducerRecord<byte[], byte[]> record) {
        return (record.key() == null ? 0 : record.key().length)
                + (record.value() == null ? 0 : record.value().length);
    }

    @Override
    public void configure(Map<String, ?> configs) {}
}
