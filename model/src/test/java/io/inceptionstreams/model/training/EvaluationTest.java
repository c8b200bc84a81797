package io.inceptionstreams.model.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationTest {

    @Test
    void shouldComputeAccuracyAndRecallFromTheConfusionMatrix() {
        Evaluation evaluation = new Evaluation(List.of("cat", "dog"), new int[][] {{3, 1}, {2, 4}});

        assertThat(evaluation.count()).isEqualTo(10);
        assertThat(evaluation.correct()).isEqualTo(7);
        assertThat(evaluation.accuracy()).isEqualTo(0.7);
        assertThat(evaluation.confusionTable())
                .contains("0 cat", "0.750", "1 dog", "0.667", "accuracy 0.7000 (7/10)");
    }
}
