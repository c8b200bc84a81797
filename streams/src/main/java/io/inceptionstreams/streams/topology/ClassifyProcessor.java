package io.inceptionstreams.streams.topology;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.inceptionstreams.model.classify.Prediction;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.Label;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.avro.ModelInfo;
import io.inceptionstreams.streams.engine.AsyncImageClassifier;
import io.inceptionstreams.streams.engine.ClassificationOutcome;
import io.inceptionstreams.streams.engine.RejectionReason;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Classifies the images of one task asynchronously while keeping their input order.
 *
 * <p>Each record is first written to the task's changelogged pending store under the next sequence
 * number: the source offset may be committed before the image is classified, so an image held only
 * in memory would be lost in a crash. The store's keys form one contiguous run: {@code head} is the
 * oldest entry, {@code nextToSubmit} the first not yet handed to the engine, {@code nextSequence}
 * the next to assign. At most {@code maxInFlight} entries are submitted and not yet forwarded; the
 * rest wait in the store, so nothing is dropped when the engine is behind.
 *
 * <p>The completed prefix of the submitted entries is forwarded, in sequence order, from {@code
 * process} and from a wall-clock punctuator: a label to {@value ClassifierTopology#SINK}, a
 * rejection to {@value ClassifierTopology#DEAD_LETTERS}; then it is deleted from the store. On
 * {@code init} the sequence continues after the largest restored key and every restored entry is
 * submitted again.
 */
public final class ClassifyProcessor implements Processor<byte[], SourceImage, Object, Object> {

    private final AsyncImageClassifier engine;
    private final SourceImageSerde sourceSerde;
    private final ClassifierMetrics metrics;
    private final int maxInFlight;
    private final Duration maxProcessWait;
    private final Duration forwardInterval;

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Long, PendingImage> store;
    private Cancellable punctuator;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private long nextToSubmit;
    private long nextSequence;

    ClassifyProcessor(
            AsyncImageClassifier engine,
            SourceImageSerde sourceSerde,
            ClassifierMetrics metrics,
            int maxInFlight,
            Duration maxProcessWait,
            Duration forwardInterval) {
        this.engine = engine;
        this.sourceSerde = sourceSerde;
        this.metrics = metrics;
        this.maxInFlight = maxInFlight;
        this.maxProcessWait = maxProcessWait;
        this.forwardInterval = forwardInterval;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(ClassifierTopology.PENDING_STORE);
        Long first = null;
        Long last = null;
        try (KeyValueIterator<Long, PendingImage> all = store.all()) {
            if (all.hasNext()) {
                first = all.next().key;
            }
        }
        try (KeyValueIterator<Long, PendingImage> reverse = store.reverseAll()) {
            if (reverse.hasNext()) {
                last = reverse.next().key;
            }
        }
        // An empty store may restart the sequence at 0: with nothing pending there is nothing
        // to order against.
        nextToSubmit = first == null ? 0 : first;
        nextSequence = last == null ? 0 : last + 1;
        submitPending(null);
        punctuator =
                context.schedule(
                        forwardInterval,
                        PunctuationType.WALL_CLOCK_TIME,
                        now -> forwardCompleted());
    }

    @Override
    public void process(Record<byte[], SourceImage> record) {
        RecordMetadata origin = context.recordMetadata().orElseThrow();
        PendingImage pending =
                new PendingImage(
                        record.timestamp(),
                        origin.topic(),
                        origin.partition(),
                        origin.offset(),
                        record.key(),
                        record.value().bytes(),
                        new RecordHeaders(record.headers().toArray()));
        if (!record.value().readable()) {
            // Nothing to classify or to order against: dead-lettered now, in this record's
            // transaction under exactly-once.
            String key = record.key() == null ? "" : new String(record.key(), UTF_8);
            deadLetter(
                    pending,
                    key,
                    new ClassificationOutcome.Rejected(
                            RejectionReason.UNREADABLE_EVENT, record.value().readFailure()));
            forwardCompleted();
            return;
        }
        metrics.imageReceived();
        awaitCapacity();
        long sequence = nextSequence++;
        store.put(sequence, pending);
        submitPending(new KeyValue<>(sequence, record.value().event()));
        forwardCompleted();
    }

    /**
     * When the task is at its in-flight limit, waits a bounded time for the oldest image, the only
     * one whose completion frees capacity. Past that the record is stored anyway and waits there,
     * so the stream thread keeps polling well within max.poll.interval.ms.
     */
    private void awaitCapacity() {
        if (inFlight.size() < maxInFlight) {
            return;
        }
        try {
            inFlight.peekFirst().future().get(maxProcessWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // A failure is raised by forwardCompleted; a timeout just leaves the record pending.
        }
        forwardCompleted();
    }

    /**
     * Hands stored entries to the engine, oldest first, while the task has capacity.
     *
     * @param current the entry being processed, whose event is already decoded, or null
     */
    private void submitPending(KeyValue<Long, ImageEvent> current) {
        while (nextToSubmit < nextSequence && inFlight.size() < maxInFlight) {
            long sequence = nextToSubmit++;
            PendingImage pending = store.get(sequence);
            ImageEvent event =
                    current != null && current.key == sequence
                            ? current.value
                            : sourceSerde.decode(pending.topic(), pending.value());
            inFlight.addLast(new InFlight(sequence, pending, event, engine.submit(event)));
            metrics.inFlightChanged(1);
        }
    }

    private void forwardCompleted() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().future().isDone()) {
            InFlight done = inFlight.pollFirst();
            metrics.inFlightChanged(-1);
            ClassificationOutcome outcome;
            try {
                outcome = done.future().join();
            } catch (RuntimeException e) {
                // The engine failed, not the image: fail the task so the image, still in the
                // store, is classified again by a fresh task instead of being dead-lettered.
                throw new StreamsException(
                        String.format(
                                "inference failed for image %s (%s-%d offset %d)",
                                done.event().getId(),
                                done.pending().topic(),
                                done.pending().partition(),
                                done.pending().offset()),
                        e.getCause() == null ? e : e.getCause());
            }
            forward(done, outcome);
            store.delete(done.sequence());
        }
        submitPending(null);
    }

    private void forward(InFlight done, ClassificationOutcome outcome) {
        String imageId = done.event().getId().toString();
        if (outcome instanceof ClassificationOutcome.Classified classified) {
            long now = context.currentSystemTimeMs();
            LabelEvent label =
                    LabelEvent.newBuilder()
                            .setImageId(imageId)
                            .setLabels(
                                    classified.predictions().stream()
                                            .map(ClassifyProcessor::label)
                                            .toList())
                            .setModel(new ModelInfo(engine.modelName(), engine.modelVersion()))
                            .setEventTime(Instant.ofEpochMilli(done.pending().timestamp()))
                            .setClassifiedAt(Instant.ofEpochMilli(now))
                            .setBatchSize(classified.batchSize())
                            .setQueueMs(classified.queueMs())
                            .setInferenceMs(classified.inferenceMs())
                            .setAttributes(done.event().getAttributes())
                            .build();
            context.forward(
                    new Record<Object, Object>(imageId, label, done.pending().timestamp()),
                    ClassifierTopology.SINK);
            metrics.labelForwarded(Duration.ofMillis(now - done.pending().timestamp()));
        } else if (outcome instanceof ClassificationOutcome.Rejected rejected) {
            deadLetter(done.pending(), imageId, rejected);
        }
    }

    private void deadLetter(
            PendingImage pending, String imageId, ClassificationOutcome.Rejected rejected) {
        Record<byte[], byte[]> deadLetter = DeadLetters.of(pending, imageId, rejected);
        context.forward(
                new Record<Object, Object>(
                        deadLetter.key(),
                        deadLetter.value(),
                        deadLetter.timestamp(),
                        deadLetter.headers()),
                ClassifierTopology.DEAD_LETTERS);
        metrics.imageRejected(rejected.reason().name());
    }

    private static Label label(Prediction prediction) {
        return new Label(prediction.label(), prediction.classIndex(), prediction.confidence());
    }

    /**
     * Leaves pending images in the store for the next owner of the task; their futures are
     * abandoned, since the engine outlives the task and completes them anyway.
     */
    @Override
    public void close() {
        if (punctuator != null) {
            punctuator.cancel();
        }
        metrics.inFlightChanged(-inFlight.size());
        inFlight.clear();
    }

    private record InFlight(
            long sequence,
            PendingImage pending,
            ImageEvent event,
            CompletableFuture<ClassificationOutcome> future) {}
}
