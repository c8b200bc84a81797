package io.inceptionstreams.model.training;

import ai.djl.training.tracker.Tracker;

/**
 * Learning rate: a linear warm-up to {@code peak}, then a cosine decay to {@code floor} at the last
 * step. {@code firstStep} shifts the count so a resumed run continues the curve where the
 * checkpoint left it (DJL's optimizer counts its updates from zero again after a restart).
 */
final class WarmupCosineSchedule implements Tracker {

    private final float peak;
    private final float floor;
    private final int warmupSteps;
    private final int totalSteps;
    private final int firstStep;

    WarmupCosineSchedule(float peak, float floor, int warmupSteps, int totalSteps, int firstStep) {
        this.peak = peak;
        this.floor = floor;
        this.warmupSteps = Math.max(1, warmupSteps);
        this.totalSteps = Math.max(this.warmupSteps + 1, totalSteps);
        this.firstStep = firstStep;
    }

    @Override
    public float getNewValue(int numUpdate) {
        int step = firstStep + numUpdate;
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return (float) (floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
