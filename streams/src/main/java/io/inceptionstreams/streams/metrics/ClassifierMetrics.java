package io.inceptionstreams.streams.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
    private final Counter threadReplacements;
    private final Timer shadowInference;
    private final Counter shadowFailures;
    private final AtomicLong shadowCompared = new AtomicLong();
    private final AtomicLong shadowAgreed = new AtomicLong();
    private final Map<Object, Long> oldestInFlightNanos = new ConcurrentHashMap<>();
    private final AtomicLong registryFailingSinceNanos = new AtomicLong(NOT_FAILING);
    private final Deque<Long> replacementNanos = new ConcurrentLinkedDeque<>();

    private static final long NOT_FAILING = Long.MIN_VALUE;

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
        threadReplacements =
                Counter.builder("inception.thread.replacements")
                        .description("Stream threads replaced after they failed")
                        .register(registry);
        shadowInference =
                Timer.builder("inception.shadow.inference")
                        .description("Time one batch spent in the shadow model")
                        .register(registry);
        shadowFailures =
                Counter.builder("inception.shadow.failures")
                        .description("Batches the shadow model failed (the active labels went on)")
                        .register(registry);
        Gauge.builder("inception.shadow.agreement", this, ClassifierMetrics::shadowAgreement)
                .description(
                        "Share of images on which the shadow model's top-1 class equals the active"
                                + " model's, since the instance started (NaN before any)")
                .register(registry);
        Gauge.builder("inception.oldest.pending", this, m -> m.oldestInFlightAge().toMillis() / 1e3)
                .description(
                        "Age of the oldest image submitted to the engine and not yet forwarded,"
                                + " over every task of this instance")
                .baseUnit("seconds")
                .register(registry);
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

    /**
     * A task's oldest image in flight was submitted at {@code submittedNanos} ({@link
     * System#nanoTime()}), or, with null, it has none in flight.
     */
    public void oldestInFlight(Object task, Long submittedNanos) {
        if (submittedNanos == null) {
            oldestInFlightNanos.remove(task);
        } else {
            oldestInFlightNanos.put(task, submittedNanos);
        }
    }

    /** How long the oldest image in flight of any task has waited; zero when none is. */
    public Duration oldestInFlightAge() {
        long now = System.nanoTime();
        return oldestInFlightNanos.values().stream()
                .map(submitted -> Duration.ofNanos(Math.max(0, now - submitted)))
                .max(Duration::compareTo)
                .orElse(Duration.ZERO);
    }

    /**
     * A call to the schema registry failed transiently ({@code kind}: what the service was doing,
     * e.g. {@code read} or {@code write}): counted, and the start of an outage if it is the first
     * since the last success.
     */
    public void registryFailed(String kind) {
        Counter.builder("inception.registry.errors")
                .description("Transient schema-registry failures met by the service, retried")
                .tag("kind", kind)
                .register(registry)
                .increment();
        registryFailingSinceNanos.compareAndSet(NOT_FAILING, System.nanoTime());
    }

    /** A call to the schema registry succeeded: any outage is over. */
    public void registrySucceeded() {
        if (registryFailingSinceNanos.get() != NOT_FAILING) {
            registryFailingSinceNanos.set(NOT_FAILING);
        }
    }

    /** How long every registry call has failed; zero while the registry answers. */
    public Duration registryOutage() {
        long since = registryFailingSinceNanos.get();
        return since == NOT_FAILING ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }

    /** The shadow model ran a batch in {@code nanos}. */
    public void shadowBatchCompleted(long nanos) {
        shadowInference.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The shadow model failed a batch. */
    public void shadowFailed() {
        shadowFailures.increment();
    }

    /** The active and shadow model classified one image, with the same top-1 class or not. */
    public void shadowCompared(boolean agreed) {
        shadowCompared.incrementAndGet();
        if (agreed) {
            shadowAgreed.incrementAndGet();
        }
    }

    /**
     * Share of compared images on which the shadow agreed with the active model; NaN before any.
     */
    public double shadowAgreement() {
        long compared = shadowCompared.get();
        return compared == 0 ? Double.NaN : (double) shadowAgreed.get() / compared;
    }

    /** A model deployment was refused ({@code reason}: a refusal reason); the old model stays. */
    public void modelRefused(String reason) {
        Counter.builder("inception.model.refusals")
                .description("Model deployments refused by this instance, which kept its model")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /** A stream thread failed and is being replaced. */
    public void threadReplaced() {
        threadReplacements.increment();
        replacementNanos.addLast(System.nanoTime());
    }

    /** Stream threads replaced within the last {@code window}. */
    public int threadReplacementsWithin(Duration window) {
        long oldest = System.nanoTime() - window.toNanos();
        while (!replacementNanos.isEmpty() && replacementNanos.peekFirst() - oldest < 0) {
            replacementNanos.pollFirst();
        }
        return replacementNanos.size();
    }

    /** Binds Kafka Streams' own metrics (consumer, producer, stream threads, tasks, stores). */
    public KafkaStreamsMetrics bind(KafkaStreams streams) {
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
        binder.bindTo(registry);
        return binder;
    }
}
