package io.inceptionstreams.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;

class ResumableAdamTest {

    @Test
    void shouldLeaveAWeightWithoutGradientAloneWithoutWeightDecay() {
        assertThat(weightsAfterOneStepWithoutGradient(0, 0)).containsExactly(1f, -2f);
    }

    @Test
    void shouldPullAWeightWithoutGradientTowardsZeroByTheRateWithWeightDecay() {
        // The decay makes the gradient 0.5 * w; Adam's first step is the rate times its sign.
        float[] weights = weightsAfterOneStepWithoutGradient(0.5f, 0);

        assertThat(weights[0]).isCloseTo(0.99f, within(1e-6f));
        assertThat(weights[1]).isCloseTo(-1.99f, within(1e-6f));
    }

    @Test
    void shouldScaleAWeightWithoutGradientByTheRateTimesTheDecoupledDecay() {
        // Decoupled from the gradient, the decay is not normalised away by Adam: 1 - 0.01 * 0.5
        float[] weights = weightsAfterOneStepWithoutGradient(0, 0.5f);

        assertThat(weights[0]).isCloseTo(0.995f, within(1e-6f));
        assertThat(weights[1]).isCloseTo(-1.99f, within(1e-6f));
    }

    @Test
    void shouldAddTheDecoupledDecayToAdamsStepOnTheGradient() {
        try (NDManager manager = NDManager.newBaseManager("MXNet")) {
            ResumableAdam adam = new ResumableAdam(Tracker.fixed(0.01f), 0, 0.5f);
            NDArray weight = manager.create(new float[] {1f, -2f});

            adam.update("w", weight, manager.create(new float[] {3f, -4f}));

            // Adam's first step is the rate times the gradient's sign, after the decay's scaling
            float[] weights = weight.toFloatArray();
            assertThat(weights[0]).isCloseTo(0.995f - 0.01f, within(1e-6f));
            assertThat(weights[1]).isCloseTo(-1.99f + 0.01f, within(1e-6f));
        }
    }

    private static float[] weightsAfterOneStepWithoutGradient(
            float weightDecay, float decoupledWeightDecay) {
        try (NDManager manager = NDManager.newBaseManager("MXNet")) {
            ResumableAdam adam =
                    new ResumableAdam(Tracker.fixed(0.01f), weightDecay, decoupledWeightDecay);
            NDArray weight = manager.create(new float[] {1f, -2f});
            adam.update("w", weight, manager.zeros(weight.getShape()));
            return weight.toFloatArray();
        }
    }
}
