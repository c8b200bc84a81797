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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classifies the images of one task asynchronously while keeping their input order.
 *
 * <p>Each record is first written to the task's changelogged pending store (on disk) under the next
 * sequence number: the source offset may be committed before the image is classified, so an image
 * held only in memory would be lost in a crash. {@code nextToSubmit} is the first sequence not yet
 * handed to the engine, {@code nextSequence} the next to assign; the keys in between are iterated
 * as they are (a restored store may have gaps). At most {@code maxInFlight} entries are submitted
 * and not yet forwarded; the rest wait on disk, so the heap a task needs does not grow with the
 * lag, and {@code process} never blocks the stream thread.
 *
 * <p>The completed prefix of the submitted entries is forwarded, in sequence order, from {@code
 * process} and from a wall-clock punctuator: a label to {@value ClassifierTopology#SINK}, a
 * rejection to {@value ClassifierTopology#DEAD_LETTERS}. Labels are serialized here, not by the
 * sink, so that a registry outage holds the label back (retried with backoff) instead of failing
 * the task, and so that an output over the producer's {@code max.request.size} becomes a dead
 * letter ({@code OUTPUT_TOO_LARGE}) instead of a send that fails for ever.
 *
 * <p>When an entry may be deleted: under {@code exactly_once_v2} at once, since the delete commits
 * atomically with the outputs. Under {@code at_least_once} only after a producer flush that
 * completed after the outputs were sent ({@link ProducerFlushes}): the label and the changelog
 * tombstone go to different partitions, and the tombstone must never be the one that survives a
 * crash. While entries wait for that, a commit (hence a flush) is requested at most once a second,
 * so that they are deleted soon, also when no more records arrive.
 *
 * <p>An entry whose event cannot be read because the schema registry does not answer stays where it
 * is, and reading resumes with backoff; one that cannot be read at all (or a stored entry that
 * cannot be read back) is dead-lettered as {@code UNREADABLE_EVENT}. An image not classified within
 * {@code image.timeout.ms} is dead-lettered as {@code TIMEOUT}, unless the engine as a whole is
 * stuck: then the task fails, so that the image is retried.
 */
public final class ClassifyProcessor implements Processor<byte[], SourceImage, Object, Object> {
    private static final Logger log = LoggerFactory.getLogger(ClassifyProcessor.class);

    /** Attributes copied to a label at most, and their UTF-8 bytes at most, keys and values. */
    public static final int MAX_LABEL_ATTRIBUTES = 64;

    public static final int MAX_LABEL_ATTRIBUTE_BYTES = 16 * 1024;

    /** Room kept under max.request.size for the record batch and record framing. */
    static final int PRODUCE_OVERHEAD_BYTES = 1024;

    private static final long DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
    private static final long FIRST_RETRY_MS = 100;
    private static final long MAX_RETRY_MS = 30_000;
    private static final long COMMIT_REQUEST_INTERVAL_MS = 1_000;

    private final AsyncImageClassifier engine;
    private final SourceImageSerde sourceSerde;
    private final Serializer<LabelEvent> labelSerializer;
    private final String labelsTopic;
    private final String shadowLabelsTopic;
    private final ClassifierMetrics metrics;
    private final int maxInFlight;
    private final Duration forwardInterval;
    private final Duration imageTimeout;

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Long, PendingImage> store;
    private Cancellable punctuator;
    private boolean exactlyOnce;
    private long maxOutputBytes;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private final Deque<long[]> awaitingFlush = new ArrayDeque<>();
    private long nextToSubmit;
    private long nextSequence;
    private long retryAtMs;
    private long retryDelayMs = FIRST_RETRY_MS;
    private long lastCommitRequestMs;

    ClassifyProcessor(
            AsyncImageClassifier engine,
            SourceImageSerde sourceSerde,
            Serializer<LabelEvent> labelSerializer,
            String labelsTopic,
            String shadowLabelsTopic,
            ClassifierMetrics metrics,
            int maxInFlight,
            Duration forwardInterval,
            Duration imageTimeout) {
        this.engine = engine;
        this.sourceSerde = sourceSerde;
        this.labelSerializer = labelSerializer;
        this.labelsTopic = labelsTopic;
        this.shadowLabelsTopic = shadowLabelsTopic;
        this.metrics = metrics;
        this.maxInFlight = maxInFlight;
        this.forwardInterval = forwardInterval;
        this.imageTimeout = imageTimeout;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(ClassifierTopology.PENDING_STORE);
        Map<String, Object> configs = context.appConfigs();
        exactlyOnce =
                StreamsConfig.EXACTLY_ONCE_V2.equals(
                        String.valueOf(configs.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)));
        maxOutputBytes = maxRequestSize(configs) - PRODUCE_OVERHEAD_BYTES;
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

    private static long maxRequestSize(Map<String, Object> configs) {
        Object value =
                configs.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        if (value == null) {
            value = configs.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        }
        return value == null ? DEFAULT_MAX_REQUEST_SIZE : Long.parseLong(value.toString());
    }

    @Override
    public void process(Record<byte[], SourceImage> record) {
        RecordMetadata origin = context.recordMetadata().orElseThrow();
        SourceImage image = record.value();
        PendingImage pending =
                new PendingImage(
                        record.timestamp(),
                        origin.topic(),
                        origin.partition(),
                        origin.offset(),
                        record.key(),
                        image.bytes(),
                        new RecordHeaders(record.headers().toArray()));
        String keyId = record.key() == null ? "" : new String(record.key(), UTF_8);
        if (!image.readable() && !image.retriable()) {
            // Nothing to classify or to order against: dead-lettered now, in this record's
            // transaction under exactly-once.
            deadLetter(
                    pending,
                    keyId,
                    new ClassificationOutcome.Rejected(
                            RejectionReason.UNREADABLE_EVENT, image.readFailure()));
            forwardCompleted();
            return;
        }
        metrics.imageReceived();
        long entrySize =
                DeadLetters.size(pending.key(), pending.value(), pending.headers())
                        + origin.topic().length();
        if (entrySize > maxOutputBytes) {
            // Its changelog entry could never be produced: refused before it is stored.
            context.forward(
                    asOutput(
                            DeadLetters.tooLarge(
                                    pending,
                                    image.readable() ? image.event().getId().toString() : keyId,
                                    "the pending-store entry",
                                    entrySize,
                                    maxOutputBytes)),
                    ClassifierTopology.DEAD_LETTERS);
            metrics.imageRejected(RejectionReason.OUTPUT_TOO_LARGE.name());
            forwardCompleted();
            return;
        }
        if (image.readable()) {
            metrics.registrySucceeded();
        }
        long sequence = nextSequence++;
        store.put(sequence, pending);
        submitPending(image.readable() ? new KeyValue<>(sequence, image.event()) : null);
        forwardCompleted();
    }

    /**
     * Hands stored entries to the engine, oldest first, while the task has capacity and the
     * registry is not being waited for.
     *
     * @param current the entry being processed, whose event is already decoded, or null
     */
    private void submitPending(KeyValue<Long, ImageEvent> current) {
        long now = context.currentSystemTimeMs();
        if (now < retryAtMs || nextToSubmit >= nextSequence || inFlight.size() >= maxInFlight) {
            return;
        }
        try (KeyValueIterator<Long, PendingImage> entries =
                store.range(nextToSubmit, nextSequence - 1)) {
            while (inFlight.size() < maxInFlight) {
                if (!entries.hasNext()) {
                    nextToSubmit = nextSequence;
                    break;
                }
                KeyValue<Long, PendingImage> entry = entries.next();
                InFlight submitted = submit(entry.key, entry.value, current, now);
                if (submitted == null) {
                    return;
                }
                nextToSubmit = entry.key + 1;
                inFlight.addLast(submitted);
                metrics.inFlightChanged(1);
            }
        }
        retryDelayMs = FIRST_RETRY_MS;
    }

    /** The entry handed to the engine, or completed as unreadable; null to read it again later. */
    private InFlight submit(
            long sequence, PendingImage pending, KeyValue<Long, ImageEvent> current, long now) {
        long submittedNanos = System.nanoTime();
        if (pending.unreadable() != null) {
            return rejected(
                    sequence, pending, "pending-" + sequence, pending.unreadable(), submittedNanos);
        }
        ImageEvent event;
        if (current != null && current.key == sequence) {
            event = current.value;
        } else {
            SourceImage read =
                    sourceSerde.read(pending.topic(), pending.headers(), pending.value());
            if (read.retriable()) {
                metrics.registryFailed("read");
                holdForRegistry(now, pending, read.readFailure());
                return null;
            }
            if (!read.readable()) {
                String keyId = pending.key() == null ? "" : new String(pending.key(), UTF_8);
                return rejected(sequence, pending, keyId, read.readFailure(), submittedNanos);
            }
            metrics.registrySucceeded();
            event = read.event();
        }
        return new InFlight(
                sequence,
                pending,
                event.getId().toString(),
                event,
                engine.submit(event),
                submittedNanos,
                now);
    }

    private static InFlight rejected(
            long sequence,
            PendingImage pending,
            String imageId,
            RuntimeException why,
            long submittedNanos) {
        return new InFlight(
                sequence,
                pending,
                imageId,
                null,
                CompletableFuture.completedFuture(
                        new ClassificationOutcome.Rejected(RejectionReason.UNREADABLE_EVENT, why)),
                submittedNanos,
                Long.MAX_VALUE);
    }

    private void holdForRegistry(long now, PendingImage pending, RuntimeException why) {
        log.warn(
                "schema registry unavailable for the record at {}-{} offset {} (task {}): {};"
                        + " kept, retrying in {} ms",
                pending.topic(),
                pending.partition(),
                pending.offset(),
                context.taskId(),
                why.getMessage(),
                retryDelayMs);
        retryAtMs = now + retryDelayMs;
        retryDelayMs = Math.min(MAX_RETRY_MS, retryDelayMs * 2);
    }

    private void forwardCompleted() {
        long now = context.currentSystemTimeMs();
        deleteAcknowledged(now);
        expireOverdue(now);
        while (now >= retryAtMs && !inFlight.isEmpty() && inFlight.peekFirst().future().isDone()) {
            InFlight done = inFlight.peekFirst();
            ClassificationOutcome outcome;
            try {
                outcome = done.future().join();
            } catch (RuntimeException e) {
                // The engine failed, not the image: fail the task so the image, still in the
                // store, is classified again by a fresh task instead of being dead-lettered.
                throw new StreamsException(
                        String.format(
                                "inference failed for image %s (%s-%d offset %d)",
                                done.imageId(),
                                done.pending().topic(),
                                done.pending().partition(),
                                done.pending().offset()),
                        e.getCause() == null ? e : e.getCause());
            }
            if (!forward(done, outcome, now)) {
                break;
            }
            inFlight.pollFirst();
            metrics.inFlightChanged(-1);
            forgetAfterOutputs(done.sequence(), now);
        }
        metrics.oldestInFlight(this, inFlight.isEmpty() ? null : inFlight.peekFirst().nanos());
        submitPending(null);
    }

    /** Dead-letters as TIMEOUT what the engine has not classified in time, or fails the task. */
    private void expireOverdue(long now) {
        for (InFlight entry : inFlight) {
            if (entry.future().isDone() || now - entry.submittedMs() < imageTimeout.toMillis()) {
                continue;
            }
            if (engine.stalled(imageTimeout)) {
                throw new StreamsException(
                        String.format(
                                "the inference engine has been running one batch for over %d ms"
                                        + " (image.timeout.ms); failing the task so that image %s"
                                        + " (%s-%d offset %d) is retried",
                                imageTimeout.toMillis(),
                                entry.imageId(),
                                entry.pending().topic(),
                                entry.pending().partition(),
                                entry.pending().offset()));
            }
            entry.future()
                    .complete(
                            new ClassificationOutcome.Rejected(
                                    RejectionReason.TIMEOUT,
                                    new TimeoutException(
                                            "image "
                                                    + entry.imageId()
                                                    + " was not classified within "
                                                    + imageTimeout.toMillis()
                                                    + " ms (image.timeout.ms)")));
        }
    }

    /**
     * Forwards the outcome of one image.
     *
     * @return false when the label could not be serialized because the registry is unavailable: the
     *     image stays at the head, to be forwarded after a backoff
     */
    private boolean forward(InFlight done, ClassificationOutcome outcome, long now) {
        if (outcome instanceof ClassificationOutcome.Rejected rejected) {
            deadLetter(done.pending(), done.imageId(), rejected);
            return true;
        }
        ClassificationOutcome.Classified classified = (ClassificationOutcome.Classified) outcome;
        LabelEvent label =
                labelEvent(
                        done,
                        classified.predictions(),
                        classified.modelName(),
                        classified.modelVersion(),
                        classified,
                        classified.inferenceMs(),
                        now);
        ClassificationOutcome.Shadow shadow = classified.shadow();
        byte[] value;
        byte[] shadowValue = null;
        try {
            value = labelSerializer.serialize(labelsTopic, label);
            if (shadow != null) {
                // Serialized before anything is forwarded: a registry outage retries both.
                shadowValue =
                        labelSerializer.serialize(
                                shadowLabelsTopic,
                                labelEvent(
                                        done,
                                        shadow.predictions(),
                                        shadow.modelName(),
                                        shadow.modelVersion(),
                                        classified,
                                        shadow.inferenceMs(),
                                        now));
            }
        } catch (RuntimeException e) {
            if (!SourceImageSerde.isTransient(e)) {
                throw new StreamsException(
                        "cannot serialize the label of image " + done.imageId(), e);
            }
            metrics.registryFailed("write");
            holdForRegistry(now, done.pending(), e);
            return false;
        }
        metrics.registrySucceeded();
        byte[] key = done.imageId().getBytes(UTF_8);
        long size = DeadLetters.size(key, value, new RecordHeaders());
        if (size > maxOutputBytes) {
            context.forward(
                    asOutput(
                            DeadLetters.tooLarge(
                                    done.pending(),
                                    done.imageId(),
                                    "the label",
                                    size,
                                    maxOutputBytes)),
                    ClassifierTopology.DEAD_LETTERS);
            metrics.imageRejected(RejectionReason.OUTPUT_TOO_LARGE.name());
            return true;
        }
        context.forward(
                new Record<Object, Object>(done.imageId(), value, done.pending().timestamp()),
                ClassifierTopology.SINK);
        if (shadowValue != null
                && DeadLetters.size(key, shadowValue, new RecordHeaders()) <= maxOutputBytes) {
            context.forward(
                    new Record<Object, Object>(
                            done.imageId(), shadowValue, done.pending().timestamp()),
                    ClassifierTopology.SHADOW_SINK);
        }
        metrics.labelForwarded(Duration.ofMillis(now - done.pending().timestamp()));
        return true;
    }

    /** The label event of one model's predictions for the image {@code done}. */
    private static LabelEvent labelEvent(
            InFlight done,
            List<Prediction> predictions,
            String modelName,
            String modelVersion,
            ClassificationOutcome.Classified batch,
            double inferenceMs,
            long now) {
        return LabelEvent.newBuilder()
                .setImageId(done.imageId())
                .setLabels(predictions.stream().map(ClassifyProcessor::label).toList())
                .setModel(new ModelInfo(modelName, modelVersion))
                .setEventTime(Instant.ofEpochMilli(done.pending().timestamp()))
                .setClassifiedAt(Instant.ofEpochMilli(now))
                .setBatchSize(batch.batchSize())
                .setQueueMs(batch.queueMs())
                .setInferenceMs(inferenceMs)
                .setAttributes(boundedAttributes(done.event().getAttributes()))
                .build();
    }

    /**
     * The first {@value #MAX_LABEL_ATTRIBUTES} attributes, in the event's order, while their keys
     * and values stay within {@value #MAX_LABEL_ATTRIBUTE_BYTES} UTF-8 bytes.
     */
    static Map<String, String> boundedAttributes(Map<String, String> attributes) {
        Map<String, String> kept = new LinkedHashMap<>();
        long bytes = 0;
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            bytes +=
                    attribute.getKey().getBytes(UTF_8).length
                            + attribute.getValue().getBytes(UTF_8).length;
            if (kept.size() == MAX_LABEL_ATTRIBUTES || bytes > MAX_LABEL_ATTRIBUTE_BYTES) {
                break;
            }
            kept.put(attribute.getKey(), attribute.getValue());
        }
        return kept;
    }

    private void deadLetter(
            PendingImage pending, String imageId, ClassificationOutcome.Rejected rejected) {
        Record<byte[], byte[]> deadLetter = DeadLetters.of(pending, imageId, rejected);
        String reason = rejected.reason().name();
        long size = DeadLetters.size(deadLetter.key(), deadLetter.value(), deadLetter.headers());
        if (size > maxOutputBytes) {
            deadLetter =
                    DeadLetters.tooLarge(
                            pending,
                            imageId,
                            "the dead letter (" + reason + ")",
                            size,
                            maxOutputBytes);
            reason = RejectionReason.OUTPUT_TOO_LARGE.name();
        }
        context.forward(asOutput(deadLetter), ClassifierTopology.DEAD_LETTERS);
        metrics.imageRejected(reason);
    }

    private static Record<Object, Object> asOutput(Record<byte[], byte[]> record) {
        return new Record<>(record.key(), record.value(), record.timestamp(), record.headers());
    }

    /** Deletes an entry whose outputs were forwarded, as soon as its guarantee allows. */
    private void forgetAfterOutputs(long sequence, long now) {
        if (exactlyOnce) {
            store.delete(sequence);
            return;
        }
        awaitingFlush.addLast(new long[] {sequence, ProducerFlushes.completed()});
        requestCommitIfAwaiting(now);
    }

    /**
     * Deletes the entries whose outputs a completed producer flush has acknowledged, and asks for a
     * commit (hence a flush) while some still wait, at most once a second.
     */
    private void deleteAcknowledged(long now) {
        long flushes = ProducerFlushes.completed();
        while (!awaitingFlush.isEmpty() && awaitingFlush.peekFirst()[1] < flushes) {
            store.delete(awaitingFlush.pollFirst()[0]);
        }
        requestCommitIfAwaiting(now);
    }

    private void requestCommitIfAwaiting(long now) {
        if (!awaitingFlush.isEmpty() && now - lastCommitRequestMs >= COMMIT_REQUEST_INTERVAL_MS) {
            lastCommitRequestMs = now;
            context.commit();
        }
    }

    private static Label label(Prediction prediction) {
        return new Label(prediction.label(), prediction.classIndex(), prediction.confidence());
    }

    /**
     * Leaves pending images in the store for the next owner of the task and cancels their work in
     * the engine, which skips cancelled images.
     */
    @Override
    public void close() {
        if (punctuator != null) {
            punctuator.cancel();
        }
        inFlight.forEach(entry -> entry.future().cancel(false));
        metrics.inFlightChanged(-inFlight.size());
        metrics.oldestInFlight(this, null);
        inFlight.clear();
    }

    /**
     * @param event null when the entry was completed as unreadable without reaching the engine
     * @param nanos when it was handed to the engine, {@link System#nanoTime()}
     * @param submittedMs the same in the task's wall-clock time, for the image timeout
     */
    private record InFlight(
            long sequence,
            PendingImage pending,
            String imageId,
            ImageEvent event,
            CompletableFuture<ClassificationOutcome> future,
            long nanos,
            long submittedMs) {}
}
