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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The batched classifier: one model on one device, driven by one worker thread.
 *
 * <p>DJL predictors are not thread-safe and an accelerator runs one batch at a time anyway, so
 * every call, from any thread, is queued to the device's single worker, which owns the {@link
 * Predictor}. Each batch's arrays live in the predictor's per-call manager and are freed when the
 * call returns, so nothing accumulates across batches.
 */
public final class ImageClassifier implements AutoCloseable {

    private final ModelBundle bundle;
    private final Device device;
    private final int topK;
    private final Execution execution;
    private final Model model;
    private final Predictor<TensorBatch, List<List<Prediction>>> predictor;
    private final ExecutorService worker;

    private ImageClassifier(
            ModelBundle bundle, Device device, int topK, Execution execution, Model model) {
        this.bundle = bundle;
        this.device = device;
        this.topK = topK;
        this.execution = execution;
        this.model = model;
        this.predictor =
                model.newPredictor(new TopKTranslator(bundle.inputSpec(), bundle.synset(), topK));
        this.worker =
                Executors.newSingleThreadExecutor(
                        runnable -> {
                            Thread thread = new Thread(runnable, "predictor-" + device);
                            thread.setDaemon(true);
                            return thread;
                        });
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
        try {
            return CompletableFuture.supplyAsync(() -> predict(batch), worker);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("classifier is closed", e));
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

    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(30, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
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
