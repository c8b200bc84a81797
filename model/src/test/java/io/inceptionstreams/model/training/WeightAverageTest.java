package io.inceptionstreams.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import org.junit.jupiter.api.Test;

class WeightAverageTest {

    private static Block linear(NDManager manager) {
        Block block = Linear.builder().setUnits(1).build();
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
        return block;
    }

    private static NDArray weight(Block block) {
        return block.getParameters().get("weight").getArray();
    }

    @Test
    void shouldWeighTheFirstUpdatesMoreThenKeepTheDecayAndSwapInPlace() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // Given a layer whose weights are [1, 2], averaged from there with a decay of 0.5
            Block block = linear(manager);
            weight(block).set(new float[] {1, 2});
            WeightAverage average = new WeightAverage(block, manager, 0.5f, 0);

            // When a step moves the weights to [3, 6] and the average follows
            assertThat(average.nextDecay()).isEqualTo(0.1f); // min(0.5, 1/10)
            weight(block).set(new float[] {3, 6});
            average.update();

            // Then the first update kept a tenth of the start: 0.1 * [1, 2] + 0.9 * [3, 6]
            average.swap();
            assertThat(weight(block).toFloatArray())
                    .containsExactly(new float[] {2.8f, 5.6f}, within(1e-5f));
            // And a second swap puts the raw weights back
            average.swap();
            assertThat(weight(block).toFloatArray()).containsExactly(3f, 6f);
            // And after many updates the decay is the one asked for
            assertThat(new WeightAverage(block, manager, 0.5f, 1000).nextDecay()).isEqualTo(0.5f);
        }
    }

    @Test
    void shouldRefuseADecayOutsideZeroToOne() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = linear(manager);
            for (float decay : new float[] {0, 1, -0.1f, Float.NaN}) {
                assertThatThrownBy(() -> new WeightAverage(block, manager, decay, 0))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("(0, 1)");
            }
        }
    }
}
