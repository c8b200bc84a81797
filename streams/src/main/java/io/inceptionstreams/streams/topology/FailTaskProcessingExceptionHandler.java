package io.inceptionstreams.streams.topology;

import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails the task on any exception thrown by a processor, without writing a dead letter.
 *
 * <p>The classify processor dead-letters bad images itself and only throws when the engine failed
 * (or on a bug); then the images are still in the pending store and must be classified again, not
 * dead-lettered. Kafka's default handler, with a dead-letter topic configured, would write the
 * record being processed when the failure surfaced (an innocent, later image) to the dead-letter
 * topic, or a record with neither key nor value when it surfaced in the punctuator.
 */
public final class FailTaskProcessingExceptionHandler implements ProcessingExceptionHandler {
    private static final Logger log =
            LoggerFactory.getLogger(FailTaskProcessingExceptionHandler.class);

    @Override
    public Response handleError(
            ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        log.error(
                "Processor {} of task {} failed (source {}-{} offset {}); failing the task",
                context.processorNodeId(),
                context.taskId(),
                context.topic(),
                context.partition(),
                context.offset(),
                exception);
        return Response.fail();
    }

    @Override
    public void configure(Map<String, ?> configs) {}
}
