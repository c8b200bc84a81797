package io.inceptionstreams.model.classify;

/** One of an image's top-k classes: its label, class index and softmax confidence in [0, 1]. */
public record Prediction(String label, int classIndex, float confidence) {}
