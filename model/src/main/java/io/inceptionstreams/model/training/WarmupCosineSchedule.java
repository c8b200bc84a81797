package io.inceptionstreams.model.training;

import ai.djl.training.tracker.Tracker;

/**
 * Learning rate: a linear warm-up to {@code peak}, then a cosine decay to {@code floor} at the last
 * step, by the step's number over the whole run (a resumed run's optimizer restores its count).
 */
final class WarmupCosineSchedule implements Tracker {

    private final float peak;
    private final float floor;
    private final int warmupSteps;
    private final int totalSteps;

    WarmupCosineSchedule(float peak, float floor, int warmupSteps, int totalSteps) {
        this.peak = peak;
        this.floor = floor;
        this.warmupSteps = Math.max(1, warmupSteps);
        this.totalSteps = Math.max(this.warmupSteps + 1, totalSteps);
    }

    @Override
    public float getNewValue(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return (float) (floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
