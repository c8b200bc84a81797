package io.inceptionstreams.streams.engine;

import io.inceptionstreams.model.classify.Prediction;
import java.util.List;

/** What became of one submitted image: its labels, or why it was rejected. */
public sealed interface ClassificationOutcome {

    /**
     * @param predictions the top-k classes, highest confidence first
     * @param batchSize images in the batch that held this one
     * @param queueMs from submission to the engine until the batch started
     * @param inferenceMs the batch's time in the model
     * @param modelName the name of the model that classified the image
     * @param modelVersion the version of the model that classified the image: during a rollout the
     *     engine's current version may already be another one
     * @param shadow what the shadow model made of the same image; null without a shadow model (or
     *     when it failed on this batch)
     */
    record Classified(
            List<Prediction> predictions,
            int batchSize,
            double queueMs,
            double inferenceMs,
            String modelName,
            String modelVersion,
            Shadow shadow)
            implements ClassificationOutcome {
        public Classified {
            predictions = List.copyOf(predictions);
        }

        /** An outcome without a shadow classification. */
        public Classified(
                List<Prediction> predictions,
                int batchSize,
                double queueMs,
                double inferenceMs,
                String modelName,
                String modelVersion) {
            this(predictions, batchSize, queueMs, inferenceMs, modelName, modelVersion, null);
        }
    }

    /**
     * The shadow model's classification of an image, beside the active one's.
     *
     * @param inferenceMs the batch's time in the shadow model
     */
    record Shadow(
            List<Prediction> predictions,
            String modelName,
            String modelVersion,
            double inferenceMs) {
        public Shadow {
            predictions = List.copyOf(predictions);
        }
    }

    /**
     * @param cause the exception describing the fault, whose class and message go into the
     *     dead-letter headers
     */
    record Rejected(RejectionReason reason, Exception cause) implements ClassificationOutcome {
        public String message() {
            return cause.getMessage();
        }
    }
}
