package io.inceptionstreams.streams.engine;

import io.inceptionstreams.schemas.avro.ImageEvent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Classifies images without blocking the caller: what the classify processor needs of the {@link
 * InferenceEngine}, and what tests replace to control when each image finishes.
 */
public interface AsyncImageClassifier {

    /**
     * Submits an image. The future completes with a {@link ClassificationOutcome}, or exceptionally
     * when the engine itself fails or closes (then the image must be retried, not dead-lettered).
     */
    CompletableFuture<ClassificationOutcome> submit(ImageEvent event);

    /** The name of the model, for the label events. */
    String modelName();

    /** The version of the model, for the label events. */
    String modelVersion();

    /**
     * Whether the classifier is stuck rather than busy: a batch has been running on the device for
     * longer than {@code bound}. Tells an image that timed out on its own (dead-letter it) from an
     * engine that holds every image (fail the task). False by default, for test doubles.
     */
    default boolean stalled(Duration bound) {
        return false;
    }

    /** Whether the model is loaded and batches are being run. */
    default boolean isRunning() {
        return true;
    }
}
