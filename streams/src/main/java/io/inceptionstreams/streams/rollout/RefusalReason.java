package io.inceptionstreams.streams.rollout;

/**
 * Why an instance refused a deployment and kept the model it had: the tag of the refusal metric.
 */
public enum RefusalReason {
    /** The bundle or one of its files is not at the location (or the location is unreadable). */
    MISSING,
    /** A file is unreadable as what it should be: descriptor, labels or parameters. */
    CORRUPT,
    /** The bundle's files do not hash to the deployment's sha256. */
    SHA256_MISMATCH,
    /** The model has fewer classes than {@code top.k} labels are asked of it. */
    CLASS_COUNT,
    /** The model takes another input than the one the instance prepares images for. */
    INPUT_SHAPE,
    /** The device could not load or run the model (warm-up batch). */
    LOAD_FAILED,
    /** The record on the models topic is not a deployment this instance can read. */
    UNREADABLE_RECORD,
    /** A shadow deployment, but {@code shadow.labels.topic} does not exist. */
    SHADOW_TOPIC_MISSING
}
