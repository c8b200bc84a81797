package io.inceptionstreams.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrainingOptionsTest {

    private static TrainingOptions options(int epochs, int stopAfter, int evalEvery) {
        return new TrainingOptionsBuilder()
                .epochs(epochs)
                .stopAfter(stopAfter)
                .evalEvery(evalEvery)
                .build();
    }

    private static int[] evaluatedEpochs(TrainingOptions options) {
        return IntStream.rangeClosed(1, options.lastEpoch())
                .filter(options::evaluatesAfter)
                .toArray();
    }

    @Test
    void shouldEvaluateEveryNthEpochAndTheRunsLast() {
        assertThat(evaluatedEpochs(options(10, 0, 1)))
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(evaluatedEpochs(options(10, 0, 3))).containsExactly(3, 6, 9, 10);
        // A run stopped early is evaluated where it stops, so its bundle has a figure
        assertThat(evaluatedEpochs(options(10, 4, 3))).containsExactly(3, 4);
        assertThat(evaluatedEpochs(options(10, 0, 20))).containsExactly(10);
    }

    @Test
    void shouldRefuseAnEvaluationIntervalBelowOne() {
        assertThatThrownBy(() -> options(10, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eval-every must be >= 1");
    }

    @Test
    void shouldRefuseADecoupledWeightDecayThatWouldFlipTheWeights() {
        // At the default peak rate 0.001, W = 1000 would scale every weight by 0 on the peak step
        assertThatThrownBy(() -> new TrainingOptionsBuilder().decoupledWeightDecay(1000).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("decoupled weight decay must be >= 0");
        assertThatThrownBy(() -> new TrainingOptionsBuilder().decoupledWeightDecay(-1).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new TrainingOptionsBuilder().decoupledWeightDecay(0.05f).build())
                .extracting(TrainingOptions::decoupledWeightDecay)
                .isEqualTo(0.05f);
    }
}
