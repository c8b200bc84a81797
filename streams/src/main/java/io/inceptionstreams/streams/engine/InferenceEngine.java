package io.inceptionstreams.streams.engine;

import ai.djl.MalformedModelException;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.classify.Prediction;
import io.inceptionstreams.model.classify.TensorBatch;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.model.preprocess.ImagePreprocessor;
import io.inceptionstreams.model.preprocess.ImageRejectedException;
import io.inceptionstreams.model.preprocess.InputSpec;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.ImageReference;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one inference engine of a JVM, shared by every task and stream thread, so that batches fill
 * from all the partitions the instance owns.
 *
 * <p>An image goes through three stages: a preprocessing pool fetches (for references) and decodes
 * and resizes it; the batcher collects prepared images until {@link BatchPolicy#maxBatchSize} of
 * them are waiting or the oldest has waited {@link BatchPolicy#maxDelay} since it was submitted;
 * the device's {@link ImageClassifier} runs the batch. The batcher waits for a batch to finish
 * before closing the next, so while the model is busy the next batch grows instead of many small
 * batches queueing (dynamic batching as in Triton and DJL Serving).
 *
 * <p>Rejections (bad images, bad references) complete the future normally with {@link
 * ClassificationOutcome.Rejected}; faults of the engine itself (inference failure, shutdown)
 * complete it exceptionally, so that the caller retries rather than dead-letters the image. Every
 * {@link Throwable} completes the future, so no image waits for ever and no thread dies:
 *
 * <ul>
 *   <li>while preparing an image: an {@link OutOfMemoryError} is that image's {@link
 *       RejectionReason#RESOURCE_EXHAUSTED} (the decode budget makes it rare, so the image that
 *       hits it is the likely cause; retrying it would only hit it again), a {@link
 *       StackOverflowError} is {@link RejectionReason#CORRUPT} (a decoder recursing on one image's
 *       data), other runtime exceptions are {@code CORRUPT} too; any other {@link Error} (a linkage
 *       or internal error of the JVM or a native library) is a fault of the engine and completes
 *       the future exceptionally;
 *   <li>while running a batch: anything thrown fails that batch's futures exceptionally, and the
 *       batcher goes on with the next batch.
 * </ul>
 *
 * <p>Callers may cancel a future ({@code future.cancel(false)}) or complete it themselves (a
 * revoked task, an image that timed out): work whose future is done is skipped before it is decoded
 * and before it joins a batch, and counted by {@link #skippedImages()}.
 *
 * <p>The model can be replaced while the engine runs ({@link #switchTo}): the new classifier,
 * already loaded and warmed by the caller, takes over at a batch boundary; from then on every image
 * submitted runs on it, while the images submitted before still run on the old one, which is closed
 * (releasing its native memory) once the last of them is done. So the model of an image follows its
 * submission order, whatever order the preprocessing pool finishes images in: per partition (whose
 * images the processor submits in order) the versions only move forward. Each {@link
 * ClassificationOutcome.Classified} names the model that actually ran its batch.
 *
 * <p>A shadow model ({@link #switchShadowTo}) runs every batch after the active one, on the same
 * tensor; its predictions ride along in the outcome, its failures only cost the shadow labels.
 */
public final class InferenceEngine implements AsyncImageClassifier, AutoCloseable {

    /**
     * When a batch closes.
     *
     * @param maxBatchSize images at which a batch closes at once
     * @param maxDelay how long the oldest image of a batch may wait for more to join
     */
    public record BatchPolicy(int maxBatchSize, Duration maxDelay) {
        public BatchPolicy {
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException(
                        "max batch size must be at least 1, got " + maxBatchSize);
            }
            if (maxDelay.isNegative()) {
                throw new IllegalArgumentException("max batch delay is negative: " + maxDelay);
            }
        }
    }

    /**
     * Runs one batch on the device; {@link ImageClassifier#submit} outside tests, which replace it
     * to control when a batch finishes.
     */
    @FunctionalInterface
    interface BatchRunner {
        CompletableFuture<List<List<Prediction>>> run(TensorBatch batch);
    }

    /**
     * Decodes and preprocesses one encoded image; {@link ImagePreprocessor#preprocess(byte[],
     * String)} outside tests, which replace it to make it fail.
     */
    @FunctionalInterface
    interface Preprocessing {
        float[] preprocess(byte[] encoded, String contentType) throws ImageRejectedException;
    }

    private static final Logger log = LoggerFactory.getLogger(InferenceEngine.class);

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration IDLE_POLL = Duration.ofMillis(100);

    /** {@link #runningSince} while no batch is on the device. */
    private static final long IDLE = Long.MIN_VALUE;

    /** Put last on the queue by close(): what precedes it still gets classified. */
    private static final PreparedImage END_OF_QUEUE =
            new PreparedImage(null, null, null, 0, Long.MAX_VALUE);

    /** The model batches run on; replaced only by the batcher thread, between batches. */
    private volatile Active active;

    /** A model waiting to take over at the next batch boundary. */
    private final AtomicReference<Switch> pendingSwitch = new AtomicReference<>();

    /** Numbers the submitted images; with {@link #inEngine}, under {@link #sequenceLock}. */
    private long nextSequence;

    /** Sequence numbers of the images submitted and not yet completed. */
    private final ConcurrentSkipListSet<Long> inEngine = new ConcurrentSkipListSet<>();

    private final Object sequenceLock = new Object();

    /** Replaced models still owed the images submitted before their replacement; batcher only. */
    private final List<Retiring> retiring = new ArrayList<>();

    /** Prepared images put aside while a batch of another model filled; batcher only. */
    private final Deque<PreparedImage> deferred = new ArrayDeque<>();

    /** The shadow model, or null; replaced only by the batcher thread, between batches. */
    private volatile Active shadow;

    /** A shadow model (or its removal: a null classifier) waiting for the next batch boundary. */
    private final AtomicReference<Switch> pendingShadow = new AtomicReference<>();

    private final InputSpec inputSpec;
    private final Preprocessing preprocessing;
    private final ImageReferenceResolver resolver;
    private final BatchPolicy policy;
    private final ClassifierMetrics metrics;
    private final ExecutorService preprocessPool;
    private final BlockingQueue<PreparedImage> prepared = new LinkedBlockingQueue<>();
    private final Set<CompletableFuture<ClassificationOutcome>> outstanding =
            ConcurrentHashMap.newKeySet();
    private final Thread batcher;
    private final AtomicLong skipped = new AtomicLong();
    private volatile long runningSince = IDLE;
    private volatile boolean closed;

    /**
     * An engine around {@code classifier}, which it owns and closes.
     *
     * @param limits the bounds of an encoded image, inline or fetched
     */
    public InferenceEngine(
            ImageClassifier classifier,
            ImageReferenceResolver resolver,
            ImageLimits limits,
            BatchPolicy policy,
            int preprocessThreads,
            ClassifierMetrics metrics) {
        this(
                classifier,
                classifier::submit,
                new ImagePreprocessor(classifier.inputSpec(), limits)::preprocess,
                resolver,
                policy,
                preprocessThreads,
                metrics);
    }

    /** An engine whose batches and preprocessing run through the given stages. */
    InferenceEngine(
            ImageClassifier classifier,
            BatchRunner runner,
            Preprocessing preprocessing,
            ImageReferenceResolver resolver,
            BatchPolicy policy,
            int preprocessThreads,
            ClassifierMetrics metrics) {
        this.active =
                new Active(
                        classifier,
                        runner,
                        classifier.bundle().descriptor().name(),
                        classifier.bundle().descriptor().version(),
                        Instant.now(),
                        0);
        this.inputSpec = classifier.inputSpec();
        this.preprocessing = preprocessing;
        this.resolver = resolver;
        this.policy = policy;
        this.metrics = metrics;
        AtomicInteger threadNumber = new AtomicInteger();
        this.preprocessPool =
                Executors.newFixedThreadPool(
                        preprocessThreads,
                        runnable ->
                                daemon(runnable, "preprocess-" + threadNumber.incrementAndGet()));
        this.batcher = daemon(this::batchLoop, "batcher-" + classifier.device());
        batcher.start();
    }

    /** Loads the configured model bundle onto the configured device and starts an engine. */
    public static InferenceEngine open(ClassifierConfig config, ClassifierMetrics metrics)
            throws IOException, MalformedModelException {
        ModelBundle bundle = ModelBundle.open(config.modelBundle());
        int classes = bundle.synset().size();
        if (config.topK() > classes) {
            throw new ConfigException(
                    ClassifierConfig.TOP_K,
                    config.topK(),
                    "model " + bundle.location() + " has only " + classes + " classes");
        }
        ImageClassifier classifier = ImageClassifier.open(bundle, config.device(), config.topK());
        ImageReferenceResolver resolver =
                new ImageReferenceResolver(
                        config.referenceFileRoots(),
                        config.referenceHttpEnabled(),
                        config.referenceHttpAllowPrivate(),
                        config.referenceHttpTimeout(),
                        config.imageLimits().maxEncodedBytes());
        return new InferenceEngine(
                classifier,
                resolver,
                config.imageLimits(),
                new BatchPolicy(config.maxBatchSize(), config.maxBatchDelay()),
                config.preprocessThreads(),
                metrics);
    }

    /** Whether the model is loaded and batches are being run: false once closed or crashed. */
    @Override
    public boolean isRunning() {
        return !closed && batcher.isAlive();
    }

    /**
     * Whether the engine is stuck rather than busy: a batch has been running on the device for
     * longer than {@code bound}, or the batcher thread has died while the engine is open. False
     * while idle (no batch on the device).
     */
    @Override
    public boolean stalled(Duration bound) {
        long since = runningSince;
        if (since != IDLE && System.nanoTime() - since > bound.toNanos()) {
            return true;
        }
        return !closed && !batcher.isAlive();
    }

    /**
     * Images whose future was already done (cancelled, or completed by the caller) when the engine
     * came to decode them or to put them in a batch, and which it therefore skipped.
     */
    public long skippedImages() {
        return skipped.get();
    }

    /** Prepared images waiting for a batch; for tests. */
    int preparedWaiting() {
        return prepared.size();
    }

    /** The name of the model batches now run on. */
    @Override
    public String modelName() {
        return active.name();
    }

    /** The version of the model batches now run on. */
    @Override
    public String modelVersion() {
        return active.version();
    }

    /** Since when the current model has been running batches. */
    public Instant modelActiveSince() {
        return active.since();
    }

    /** The classifier batches now run on (for warming a replacement on the same device). */
    public ImageClassifier classifier() {
        return active.classifier();
    }

    /** The input every model of this engine must take: the images are preprocessed for it. */
    public InputSpec inputSpec() {
        return inputSpec;
    }

    /**
     * Asks the engine to run its next batches on {@code next}, which the engine then owns: the
     * batcher switches between two batches, so a batch runs wholly on one model, and closes the old
     * classifier once its last batch is done. A switch asked for before an earlier one took place
     * supersedes it (the earlier classifier is closed unused, its future fails).
     *
     * @param name the model name the labels of {@code next} carry
     * @param version the model version the labels of {@code next} carry
     * @return completes once {@code next} runs the batches, exceptionally if it never will (the
     *     engine closed, or a later switch superseded it)
     * @throws IllegalArgumentException if {@code next} takes another input than this engine's
     *     images are preprocessed for
     */
    public CompletableFuture<Instant> switchTo(ImageClassifier next, String name, String version) {
        return switchTo(next, next::submit, name, version);
    }

    /**
     * As {@link #switchTo(ImageClassifier, String, String)}, with batches run by {@code runner}.
     */
    CompletableFuture<Instant> switchTo(
            ImageClassifier next, BatchRunner runner, String name, String version) {
        if (!next.inputSpec().equals(inputSpec)) {
            throw new IllegalArgumentException(
                    "model "
                            + name
                            + " "
                            + version
                            + " takes "
                            + next.inputSpec()
                            + " but this engine's images are prepared for "
                            + inputSpec);
        }
        Switch request = new Switch(next, runner, name, version, new CompletableFuture<>());
        if (closed) {
            next.close();
            request.done().completeExceptionally(closedException());
            return request.done();
        }
        Switch superseded = pendingSwitch.getAndSet(request);
        if (superseded != null) {
            superseded.classifier().close();
            superseded
                    .done()
                    .completeExceptionally(
                            new IllegalStateException(
                                    "switch to "
                                            + superseded.name()
                                            + " "
                                            + superseded.version()
                                            + " superseded by "
                                            + name
                                            + " "
                                            + version));
        }
        if (closed) {
            // close() may have run between the check and the set: it must not leak the model.
            Switch left = pendingSwitch.getAndSet(null);
            if (left != null) {
                left.classifier().close();
                left.done().completeExceptionally(closedException());
            }
        }
        return request.done();
    }

    /** The version of the shadow model, or null without one. */
    public String shadowVersion() {
        Active current = shadow;
        return current == null ? null : current.version();
    }

    /**
     * Asks the engine to run {@code next} as the shadow model from the next batch on (replacing any
     * shadow model, which is then closed), or, with null, to stop running one. Same rules as {@link
     * #switchTo}.
     */
    public CompletableFuture<Instant> switchShadowTo(
            ImageClassifier next, String name, String version) {
        if (next != null && !next.inputSpec().equals(inputSpec)) {
            throw new IllegalArgumentException(
                    "model "
                            + name
                            + " "
                            + version
                            + " takes "
                            + next.inputSpec()
                            + " but this engine's images are prepared for "
                            + inputSpec);
        }
        Switch request =
                new Switch(
                        next,
                        next == null ? null : next::submit,
                        name,
                        version,
                        new CompletableFuture<>());
        if (closed) {
            if (next != null) {
                next.close();
            }
            request.done().completeExceptionally(closedException());
            return request.done();
        }
        Switch superseded = pendingShadow.getAndSet(request);
        if (superseded != null) {
            if (superseded.classifier() != null) {
                superseded.classifier().close();
            }
            superseded
                    .done()
                    .completeExceptionally(new IllegalStateException("shadow switch superseded"));
        }
        if (closed) {
            Switch left = pendingShadow.getAndSet(null);
            if (left != null) {
                if (left.classifier() != null) {
                    left.classifier().close();
                }
                left.done().completeExceptionally(closedException());
            }
        }
        return request.done();
    }

    /** Run by the batcher only, between batches. */
    private void applyPendingShadow() {
        Switch request = pendingShadow.getAndSet(null);
        if (request == null) {
            return;
        }
        Active old = shadow;
        Instant since = Instant.now();
        shadow =
                request.classifier() == null
                        ? null
                        : new Active(
                                request.classifier(),
                                request.runner(),
                                request.name(),
                                request.version(),
                                since,
                                0);
        log.info(
                "shadow model {}",
                request.classifier() == null
                        ? "stopped"
                        : request.name() + " " + request.version() + " runs beside the active one");
        request.done().complete(since);
        if (old != null) {
            try {
                old.classifier().close();
            } catch (RuntimeException e) {
                log.warn("closing shadow model {} {} failed", old.name(), old.version(), e);
            }
        }
    }

    /** Run by the batcher only, between batches. */
    private void applyPendingSwitch() {
        Switch request = pendingSwitch.getAndSet(null);
        if (request == null) {
            return;
        }
        Active old = active;
        Instant since = Instant.now();
        synchronized (sequenceLock) {
            // Every image submitted from now on is the new model's; those before stay the old's.
            active =
                    new Active(
                            request.classifier(),
                            request.runner(),
                            request.name(),
                            request.version(),
                            since,
                            nextSequence);
            retiring.add(new Retiring(old, nextSequence));
        }
        log.info(
                "model {} {} takes the images submitted from now on, replacing {} {}",
                request.name(),
                request.version(),
                old.name(),
                old.version());
        request.done().complete(since);
        closeRetired();
    }

    /** Closes the replaced models whose images are all done. Batcher only. */
    private void closeRetired() {
        if (retiring.isEmpty()) {
            return;
        }
        Long oldest;
        synchronized (sequenceLock) {
            oldest = inEngine.isEmpty() ? null : inEngine.first();
        }
        for (Iterator<Retiring> it = retiring.iterator(); it.hasNext(); ) {
            Retiring old = it.next();
            if (oldest == null || oldest >= old.lastSequence()) {
                it.remove();
                closeQuietly(old.model());
            }
        }
    }

    private static void closeQuietly(Active model) {
        try {
            model.classifier().close();
        } catch (RuntimeException e) {
            log.warn("closing model {} {} failed", model.name(), model.version(), e);
        }
    }

    /** The model an image of sequence number {@code sequence} runs on. Batcher only. */
    private Active modelFor(long sequence) {
        Active current = active;
        if (sequence >= current.firstSequence()) {
            return current;
        }
        for (Retiring old : retiring) {
            if (sequence >= old.model().firstSequence() && sequence < old.lastSequence()) {
                return old.model();
            }
        }
        return current;
    }

    @Override
    public CompletableFuture<ClassificationOutcome> submit(ImageEvent event) {
        if (closed) {
            return CompletableFuture.failedFuture(closedException());
        }
        CompletableFuture<ClassificationOutcome> future = new CompletableFuture<>();
        outstanding.add(future);
        long sequence;
        synchronized (sequenceLock) {
            sequence = nextSequence++;
            inEngine.add(sequence);
        }
        future.whenComplete(
                (outcome, failure) -> {
                    outstanding.remove(future);
                    inEngine.remove(sequence);
                });
        long submittedNanos = System.nanoTime();
        try {
            preprocessPool.execute(() -> prepare(event, future, submittedNanos, sequence));
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(closedException());
        }
        return future;
    }

    private void prepare(
            ImageEvent event,
            CompletableFuture<ClassificationOutcome> future,
            long submittedNanos,
            long sequence) {
        if (skipIfDone(future, event.getId(), "before decoding")) {
            return;
        }
        try {
            byte[] encoded = encodedBytes(event);
            if (skipIfDone(future, event.getId(), "before decoding")) {
                return;
            }
            String contentType =
                    event.getContentType() == null ? null : event.getContentType().toString();
            float[] tensor = preprocessing.preprocess(encoded, contentType);
            if (skipIfDone(future, event.getId(), "before batching")) {
                return;
            }
            prepared.add(
                    new PreparedImage(event.getId(), tensor, future, submittedNanos, sequence));
        } catch (ImageRejectedException e) {
            future.complete(new ClassificationOutcome.Rejected(RejectionReason.of(e.reason()), e));
        } catch (ImageReferenceException e) {
            future.complete(new ClassificationOutcome.Rejected(e.reason(), e));
        } catch (CancellationException e) {
            // Interrupted while waiting for the decode budget: the engine is shutting down.
            future.completeExceptionally(closed ? closedException() : e);
        } catch (RuntimeException | StackOverflowError e) {
            // The decoder maps every failure it knows to a reason; anything else thrown while
            // reading one image is still about that image, and failing the task over it would
            // make it a poison pill that stops the partition for good.
            future.complete(
                    new ClassificationOutcome.Rejected(
                            RejectionReason.CORRUPT,
                            e instanceof RuntimeException runtime
                                    ? runtime
                                    : new IllegalStateException(
                                            "decoding image "
                                                    + event.getId()
                                                    + " recursed too deep: "
                                                    + e,
                                            e)));
        } catch (OutOfMemoryError e) {
            future.complete(
                    new ClassificationOutcome.Rejected(
                            RejectionReason.RESOURCE_EXHAUSTED,
                            new ResourceExhaustedException(
                                    "image "
                                            + event.getId()
                                            + " ran out of memory while being fetched or decoded"
                                            + " ("
                                            + e.getMessage()
                                            + "); image.max.decoded.bytes bounds decoding, so the"
                                            + " heap is too small for it or the image's decoder"
                                            + " needs more than its raster",
                                    e)));
        } catch (Throwable e) {
            log.error("preparing image {} failed in the engine itself", event.getId(), e);
            future.completeExceptionally(e);
        }
    }

    /** True, counting and logging it, if the caller has cancelled or completed the image. */
    private boolean skipIfDone(
            CompletableFuture<ClassificationOutcome> future, CharSequence imageId, String stage) {
        if (!future.isDone()) {
            return false;
        }
        skipped.incrementAndGet();
        log.debug(
                "skipped image {} {}: its future is already {}",
                imageId,
                stage,
                future.isCancelled() ? "cancelled" : "completed");
        return true;
    }

    private byte[] encodedBytes(ImageEvent event) throws ImageReferenceException {
        Object image = event.getImage();
        if (image instanceof ByteBuffer inline) {
            ByteBuffer view = inline.duplicate();
            byte[] bytes = new byte[view.remaining()];
            view.get(bytes);
            return bytes;
        }
        if (image instanceof ImageReference reference) {
            return resolver.resolve(reference);
        }
        throw new ImageReferenceException(
                RejectionReason.UNSUPPORTED_REFERENCE,
                "image " + event.getId() + " has neither inline bytes nor a reference");
    }

    private void batchLoop() {
        float[] buffer = new float[policy.maxBatchSize() * inputSpec.size()];
        long maxDelayNanos = policy.maxDelay().toNanos();
        try {
            while (true) {
                // Woken now and then while idle, so that a switch does not wait for an image.
                PreparedImage first =
                        deferred.isEmpty()
                                ? prepared.poll(IDLE_POLL.toNanos(), TimeUnit.NANOSECONDS)
                                : deferred.pollFirst();
                applyPendingSwitch();
                applyPendingShadow();
                closeRetired();
                if (first == null) {
                    continue;
                }
                if (first == END_OF_QUEUE) {
                    return;
                }
                if (skipIfDone(first)) {
                    continue;
                }
                // A batch runs on one model: the one of its first image's submission.
                Active model = modelFor(first.sequence());
                List<PreparedImage> batch = new ArrayList<>(policy.maxBatchSize());
                batch.add(first);
                long deadline = first.submittedNanos() + maxDelayNanos;
                while (batch.size() < policy.maxBatchSize()) {
                    long wait = deadline - System.nanoTime();
                    PreparedImage next =
                            wait > 0 ? prepared.poll(wait, TimeUnit.NANOSECONDS) : prepared.poll();
                    if (next == null) {
                        break;
                    }
                    if (next == END_OF_QUEUE) {
                        deferred.addLast(next);
                        break;
                    }
                    if (skipIfDone(next)) {
                        continue;
                    }
                    if (modelFor(next.sequence()) == model) {
                        batch.add(next);
                    } else {
                        deferred.addLast(next);
                    }
                }
                // Images cancelled while the batch was filling need not take the device either.
                batch.removeIf(this::skipIfDone);
                if (batch.isEmpty()) {
                    continue;
                }
                try {
                    classify(batch, buffer, model);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Throwable e) {
                    // A batch that cannot run must not take the batcher with it: every later
                    // image would wait for ever. Its images fail, so their tasks retry them.
                    log.error("a batch of {} failed; the engine goes on", batch.size(), e);
                    batch.forEach(image -> image.future().completeExceptionally(e));
                }
            }
        } catch (InterruptedException e) {
            // close() gave up waiting; it fails whatever is still outstanding.
            Thread.currentThread().interrupt();
        }
    }

    private boolean skipIfDone(PreparedImage image) {
        return skipIfDone(image.future(), image.imageId(), "before batching");
    }

    private void classify(List<PreparedImage> batch, float[] buffer, Active model)
            throws InterruptedException {
        int size = inputSpec.size();
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).tensor(), 0, buffer, i * size, size);
        }
        long start = System.nanoTime();
        List<List<Prediction>> results;
        runningSince = start;
        try {
            results = model.runner().run(new TensorBatch(buffer, batch.size())).get();
        } catch (ExecutionException e) {
            batch.forEach(image -> image.future().completeExceptionally(e.getCause()));
            return;
        } finally {
            runningSince = IDLE;
        }
        long inferenceNanos = System.nanoTime() - start;
        metrics.batchCompleted(batch.size(), inferenceNanos);
        List<ClassificationOutcome.Shadow> shadows = runShadow(buffer, batch.size());
        for (int i = 0; i < batch.size(); i++) {
            PreparedImage image = batch.get(i);
            long queueNanos = start - image.submittedNanos();
            metrics.imageQueued(queueNanos);
            if (shadows != null) {
                // Counted before the label leaves, so whoever sees the label sees it counted.
                metrics.shadowCompared(
                        results.get(i).get(0).classIndex()
                                == shadows.get(i).predictions().get(0).classIndex());
            }
            image.future()
                    .complete(
                            new ClassificationOutcome.Classified(
                                    results.get(i),
                                    batch.size(),
                                    queueNanos / 1e6,
                                    inferenceNanos / 1e6,
                                    model.name(),
                                    model.version(),
                                    shadows == null ? null : shadows.get(i)));
        }
    }

    /**
     * The shadow model's outcomes for the batch in {@code buffer}; null without one or on failure.
     */
    private List<ClassificationOutcome.Shadow> runShadow(float[] buffer, int count)
            throws InterruptedException {
        Active model = shadow;
        if (model == null) {
            return null;
        }
        long start = System.nanoTime();
        runningSince = start;
        List<List<Prediction>> results;
        try {
            results = model.runner().run(new TensorBatch(buffer, count)).get();
        } catch (ExecutionException | RuntimeException e) {
            // The shadow is an experiment: its failure costs its labels, not the active ones.
            log.warn(
                    "shadow model {} {} failed a batch of {}: {}",
                    model.name(),
                    model.version(),
                    count,
                    e.getCause() == null ? e.toString() : e.getCause().toString());
            metrics.shadowFailed();
            return null;
        } finally {
            runningSince = IDLE;
        }
        long nanos = System.nanoTime() - start;
        metrics.shadowBatchCompleted(nanos);
        List<ClassificationOutcome.Shadow> shadows = new ArrayList<>(count);
        for (List<Prediction> predictions : results) {
            shadows.add(
                    new ClassificationOutcome.Shadow(
                            predictions, model.name(), model.version(), nanos / 1e6));
        }
        return shadows;
    }

    /**
     * Stops taking images, classifies those already accepted (bounded by a timeout), fails any
     * future still outstanding after that, and closes the classifier.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        try {
            preprocessPool.shutdown();
            preprocessPool.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS);
            prepared.add(END_OF_QUEUE);
            batcher.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining(deadline))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            preprocessPool.shutdownNow();
            batcher.interrupt();
            for (CompletableFuture<ClassificationOutcome> future : List.copyOf(outstanding)) {
                future.completeExceptionally(closedException());
            }
            Switch left = pendingSwitch.getAndSet(null);
            if (left != null) {
                left.classifier().close();
                left.done().completeExceptionally(closedException());
            }
            Switch leftShadow = pendingShadow.getAndSet(null);
            if (leftShadow != null) {
                if (leftShadow.classifier() != null) {
                    leftShadow.classifier().close();
                }
                leftShadow.done().completeExceptionally(closedException());
            }
            Active shadowModel = shadow;
            if (shadowModel != null) {
                shadowModel.classifier().close();
            }
            retiring.forEach(old -> closeQuietly(old.model()));
            retiring.clear();
            active.classifier().close();
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static IllegalStateException closedException() {
        return new IllegalStateException("inference engine is closed");
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * A model running batches, since when, and the sequence number of the first image submitted to
     * it.
     */
    private record Active(
            ImageClassifier classifier,
            BatchRunner runner,
            String name,
            String version,
            Instant since,
            long firstSequence) {}

    /** A replaced model, owed the images numbered below {@code lastSequence}. */
    private record Retiring(Active model, long lastSequence) {}

    private record Switch(
            ImageClassifier classifier,
            BatchRunner runner,
            String name,
            String version,
            CompletableFuture<Instant> done) {}

    private record PreparedImage(
            CharSequence imageId,
            float[] tensor,
            CompletableFuture<ClassificationOutcome> future,
            long submittedNanos,
            long sequence) {}
}
