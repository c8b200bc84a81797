package io.inceptionstreams.streams.rollout;

/** A deployment an instance will not run, and why; the model it had stays active. */
public final class DeploymentRefusedException extends Exception {
    private final RefusalReason reason;

    public DeploymentRefusedException(RefusalReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public DeploymentRefusedException(RefusalReason reason, String message) {
        this(reason, message, null);
    }

    public RefusalReason reason() {
        return reason;
    }
}
