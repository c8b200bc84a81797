package io.inceptionstreams.streams.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The service's meters, all prefixed {@code inception.}, in the registry the caller passes in (so
 * the CLI chooses Prometheus, JMX or logging, and tests a {@code SimpleMeterRegistry}).
 *
 * <p>One instance per JVM, shared by the engine and every task, as the engine is.
 */
public final class ClassifierMetrics {
    private final MeterRegistry registry;
    private final Counter imagesIn;
    private final Counter imagesOut;
    private final DistributionSummary batchSize;
    private final Timer queueWait;
    private final Timer inference;
    private final Timer endToEnd;
    private final AtomicInteger inFlight = new AtomicInteger();

    public ClassifierMetrics(MeterRegistry registry) {
        this.registry = registry;
        imagesIn =
                Counter.builder("inception.images.in")
                        .description("Image events accepted by the classify processor")
                        .register(registry);
        imagesOut =
                Counter.builder("inception.images.out")
                        .description("Label events forwarded")
                        .register(registry);
        batchSize =
                DistributionSummary.builder("inception.batch.size")
                        .description("Images per inference batch")
                        .register(registry);
        queueWait =
                Timer.builder("inception.queue.wait")
                        .description(
                                "From submission to the engine until the image's batch started")
                        .register(registry);
        inference =
                Timer.builder("inception.inference")
                        .description("Time one batch spent in the model")
                        .register(registry);
        endToEnd =
                Timer.builder("inception.end.to.end")
                        .description(
                                "From the input record's timestamp until its label was forwarded")
                        .register(registry);
        registry.gauge("inception.images.in.flight", inFlight);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void imageReceived() {
        imagesIn.increment();
    }

    public void labelForwarded(Duration sinceInput) {
        imagesOut.increment();
        endToEnd.record(sinceInput.isNegative() ? Duration.ZERO : sinceInput);
    }

    public void imageRejected(String reason) {
        Counter.builder("inception.images.rejected")
                .description("Images sent to the dead-letter topic by the processor")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    public void batchCompleted(int size, long inferenceNanos) {
        batchSize.record(size);
        inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
    }

    public void imageQueued(long queueNanos) {
        queueWait.record(queueNanos, TimeUnit.NANOSECONDS);
    }

    /** Images submitted to the engine and not yet forwarded, summed over every task. */
    public void inFlightChanged(int delta) {
        inFlight.addAndGet(delta);
    }

    /** Binds Kafka Streams' own metrics (consumer, producer, stream threads, tasks, stores). */
    public KafkaStreamsMetrics bind(KafkaStreams streams) {
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
        binder.bindTo(registry);
        return binder;
    }
}
