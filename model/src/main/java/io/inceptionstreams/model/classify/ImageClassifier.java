package io.inceptionstreams.model.classify;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.preprocess.InputSpec;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The batched classifier: one model on one device, driven by the device's worker thread.
 *
 * <p>DJL predictors are not thread-safe and an accelerator runs one batch at a time anyway, so
 * every call, from any thread, is queued to the device's single worker. Each batch's arrays live in
 * the predictor's per-call manager and are freed when the call returns, so nothing accumulates
 * across batches.
 *
 * <p>The worker belongs to the device, not to the classifier: every classifier of the JVM on one
 * device runs on the same long-lived thread. MXNet keeps per-thread native state (MKL-DNN primitive
 * caches, per-thread stores) that lives until the process exits, so a thread per classifier would
 * leak about 10 MB each time a model is replaced.
 */
public final class ImageClassifier implements AutoCloseable {

    private final ModelBundle bundle;
    private final Device device;
    private final int topK;
    private final Execution execution;
    private final Model model;
    private final Predictor<TensorBatch, List<List<Prediction>>> predictor;
    private final ExecutorService worker;
    private final Set<CompletableFuture<?>> running = ConcurrentHashMap.newKeySet();
    private boolean closed;

    private static final Map<Device, ExecutorService> WORKERS = new ConcurrentHashMap<>();

    private static final long CLOSE_TIMEOUT_SECONDS = 30;

    private ImageClassifier(
            ModelBundle bundle, Device device, int topK, Execution execution, Model model) {
        this.bundle = bundle;
        this.device = device;
        this.topK = topK;
        this.execution = execution;
        this.model = model;
        this.predictor =
                model.newPredictor(new TopKTranslator(bundle.inputSpec(), bundle.synset(), topK));
        this.worker = workerOf(device);
    }

    /** The device's one worker thread, started with the first classifier on that device. */
    private static ExecutorService workerOf(Device device) {
        return WORKERS.computeIfAbsent(
                device,
                key ->
                        Executors.newSingleThreadExecutor(
                                runnable -> {
                                    Thread thread = new Thread(runnable, "predictor-" + key);
                                    thread.setDaemon(true);
                                    return thread;
                                }));
    }

    /**
     * Loads {@code bundle} onto {@code device} (see {@link Devices#resolve}) and returns a
     * classifier giving the {@code topK} best classes per image, run as a {@link
     * Execution#CACHED_GRAPH cached graph}.
     */
    public static ImageClassifier open(ModelBundle bundle, String device, int topK)
            throws IOException, MalformedModelException {
        return open(bundle, device, topK, Execution.CACHED_GRAPH);
    }

    /** As {@link #open(ModelBundle, String, int)}, with a chosen {@link Execution}. */
    public static ImageClassifier open(
            ModelBundle bundle, String device, int topK, Execution execution)
            throws IOException, MalformedModelException {
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
        }
        Device resolved = Devices.resolve(device);
        Model model = bundle.loadModel(resolved);
        try {
            execution.apply(model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return new ImageClassifier(bundle, resolved, topK, execution, model);
    }

    public ModelBundle bundle() {
        return bundle;
    }

    public InputSpec inputSpec() {
        return bundle.inputSpec();
    }

    public Device device() {
        return device;
    }

    public int topK() {
        return topK;
    }

    public Execution execution() {
        return execution;
    }

    /**
     * Queues a batch to the device worker; the future completes with one list per image.
     *
     * @throws IllegalArgumentException if the batch holds fewer floats than its count needs
     */
    public CompletableFuture<List<List<Prediction>>> submit(TensorBatch batch) {
        batch.checkFits(bundle.inputSpec());
        synchronized (running) {
            if (closed) {
                return CompletableFuture.failedFuture(
                        new IllegalStateException("classifier is closed"));
            }
            CompletableFuture<List<List<Prediction>>> result;
            try {
                result = CompletableFuture.supplyAsync(() -> predict(batch), worker);
            } catch (RejectedExecutionException e) {
                return CompletableFuture.failedFuture(
                        new IllegalStateException("classifier is closed", e));
            }
            running.add(result);
            result.whenComplete((predictions, failure) -> running.remove(result));
            return result;
        }
    }

    /** Classifies a batch, blocking until the device worker has run it. */
    public List<List<Prediction>> classify(TensorBatch batch) {
        Future<List<List<Prediction>>> result = submit(batch);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.cancel(false);
            throw new IllegalStateException("interrupted while waiting for the classifier", e);
        } catch (ExecutionException e) {
            Throwable cause =
                    e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        }
    }

    private List<List<Prediction>> predict(TensorBatch batch) {
        try {
            return predictor.predict(batch);
        } catch (TranslateException e) {
            throw new ClassificationException(
                    "inference failed for a batch of " + batch.count() + " on " + device, e);
        }
    }

    /**
     * Refuses new batches, waits (at most 30 s) for those already queued to finish, and frees the
     * model's native memory. The device's worker thread stays, for the other classifiers.
     */
    @Override
    public void close() {
        List<CompletableFuture<?>> pending;
        synchronized (running) {
            if (closed) {
                return;
            }
            closed = true;
            pending = List.copyOf(running);
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                    .get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // A failed batch has reported to its caller; one still running after the timeout is
            // stuck on the device, and the model is freed as before.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        predictor.close();
        model.close();
    }

    /** Inference itself failed (not the input): the engine or the device is at fault. */
    public static final class ClassificationException extends RuntimeException {
        public ClassificationException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
