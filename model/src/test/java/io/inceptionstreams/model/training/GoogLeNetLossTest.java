package io.inceptionstreams.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class GoogLeNetLossTest {

    /** Logits (2, 0, 0) for an image of class 0: log-probabilities by hand. */
    private static final double LOG_SUM = Math.log(Math.exp(2) + 2);

    private static final double LOG_P0 = 2 - LOG_SUM;
    private static final double LOG_P1 = -LOG_SUM;

    @Test
    void shouldBeTheCrossEntropyPlusThreeTenthsOfEachSideHeadsWithoutSmoothing() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList predictions =
                    new NDList(
                            manager.create(new float[] {2, 0, 0}, new Shape(1, 3)),
                            manager.create(new float[] {2, 0, 0}, new Shape(1, 3)));
            NDList labels = new NDList(manager.create(new float[] {0}));
            float loss = new GoogLeNetLoss().evaluate(labels, predictions).getFloat();
            assertThat((double) loss).isCloseTo(-LOG_P0 * 1.3, within(1e-5));
        }
    }

    @Test
    void shouldSpreadTheSmoothingOverEveryClass() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList predictions = new NDList(manager.create(new float[] {2, 0, 0}, new Shape(1, 3)));
            NDList labels = new NDList(manager.create(new float[] {0}));
            float loss = new GoogLeNetLoss(0.3f).evaluate(labels, predictions).getFloat();
            // Targets 0.7 + 0.1 on the class, 0.1 on each other one.
            double expected = -(0.8 * LOG_P0 + 0.2 * LOG_P1);
            assertThat((double) loss).isCloseTo(expected, within(1e-5));
        }
    }

    @Test
    void shouldRefuseASmoothingOutsideZeroToOne() {
        assertThatThrownBy(() -> new GoogLeNetLoss(1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label smoothing");
    }
}
