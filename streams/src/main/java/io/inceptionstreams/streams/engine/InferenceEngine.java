package io.inceptionstreams.streams.engine;

import ai.djl.MalformedModelException;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.classify.Prediction;
import io.inceptionstreams.model.classify.TensorBatch;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.model.preprocess.ImagePreprocessor;
import io.inceptionstreams.model.preprocess.ImageRejectedException;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.ImageReference;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.config.ConfigException;

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
 * complete it exceptionally, so that the caller retries rather than dead-letters the image.
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

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /** Put last on the queue by close(): what precedes it still gets classified. */
    private static final PreparedImage END_OF_QUEUE = new PreparedImage(null, null, 0);

    private final ImageClassifier classifier;
    private final ImagePreprocessor preprocessor;
    private final ImageReferenceResolver resolver;
    private final BatchPolicy policy;
    private final ClassifierMetrics metrics;
    private final ExecutorService preprocessPool;
    private final BlockingQueue<PreparedImage> prepared = new LinkedBlockingQueue<>();
    private final Set<CompletableFuture<ClassificationOutcome>> outstanding =
            ConcurrentHashMap.newKeySet();
    private final Thread batcher;
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
        this.classifier = classifier;
        this.preprocessor = new ImagePreprocessor(classifier.inputSpec(), limits);
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
    public boolean isRunning() {
        return !closed && batcher.isAlive();
    }

    @Override
    public String modelName() {
        return classifier.bundle().descriptor().name();
    }

    @Override
    public String modelVersion() {
        return classifier.bundle().descriptor().version();
    }

    @Override
    public CompletableFuture<ClassificationOutcome> submit(ImageEvent event) {
        if (closed) {
            return CompletableFuture.failedFuture(closedException());
        }
        CompletableFuture<ClassificationOutcome> future = new CompletableFuture<>();
        outstanding.add(future);
        future.whenComplete((outcome, failure) -> outstanding.remove(future));
        long submittedNanos = System.nanoTime();
        try {
            preprocessPool.execute(() -> prepare(event, future, submittedNanos));
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(closedException());
        }
        return future;
    }

    private void prepare(
            ImageEvent event,
            CompletableFuture<ClassificationOutcome> future,
            long submittedNanos) {
        try {
            byte[] encoded = encodedBytes(event);
            String contentType =
                    event.getContentType() == null ? null : event.getContentType().toString();
            float[] tensor = preprocessor.preprocess(encoded, contentType);
            prepared.add(new PreparedImage(tensor, future, submittedNanos));
        } catch (ImageRejectedException e) {
            future.complete(new ClassificationOutcome.Rejected(RejectionReason.of(e.reason()), e));
        } catch (ImageReferenceException e) {
            future.complete(new ClassificationOutcome.Rejected(e.reason(), e));
        } catch (RuntimeException e) {
            // The decoder maps every failure it knows to a reason; anything else thrown while
            // reading one image is still about that image, and failing the task over it would
            // make it a poison pill that stops the partition for good.
            future.complete(new ClassificationOutcome.Rejected(RejectionReason.CORRUPT, e));
        }
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
        float[] buffer = new float[policy.maxBatchSize() * classifier.inputSpec().size()];
        long maxDelayNanos = policy.maxDelay().toNanos();
        boolean ending = false;
        try {
            while (!ending) {
                PreparedImage first = prepared.take();
                if (first == END_OF_QUEUE) {
                    return;
                }
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
                        ending = true;
                        break;
                    }
                    batch.add(next);
                }
                classify(batch, buffer);
            }
        } catch (InterruptedException e) {
            // close() gave up waiting; it fails whatever is still outstanding.
            Thread.currentThread().interrupt();
        }
    }

    private void classify(List<PreparedImage> batch, float[] buffer) throws InterruptedException {
        int size = classifier.inputSpec().size();
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).tensor(), 0, buffer, i * size, size);
        }
        long start = System.nanoTime();
        List<List<Prediction>> results;
        try {
            results = classifier.submit(new TensorBatch(buffer, batch.size())).get();
        } catch (ExecutionException e) {
            batch.forEach(image -> image.future().completeExceptionally(e.getCause()));
            return;
        }
        long inferenceNanos = System.nanoTime() - start;
        metrics.batchCompleted(batch.size(), inferenceNanos);
        for (int i = 0; i < batch.size(); i++) {
            PreparedImage image = batch.get(i);
            long queueNanos = start - image.submittedNanos();
            metrics.imageQueued(queueNanos);
            image.future()
                    .complete(
                            new ClassificationOutcome.Classified(
                                    results.get(i),
                                    batch.size(),
                                    queueNanos / 1e6,
                                    inferenceNanos / 1e6));
        }
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
            classifier.close();
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

    private record PreparedImage(
            float[] tensor, CompletableFuture<ClassificationOutcome> future, long submittedNanos) {}
}
