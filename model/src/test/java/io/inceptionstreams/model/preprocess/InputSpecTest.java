package io.inceptionstreams.model.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InputSpecTest {

    @Test
    void shouldRejectNonPositiveSizes() {
        assertThatThrownBy(() -> new InputSpec(0, 4, 1, new float[] {0}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x4");
    }

    @Test
    void shouldRejectChannelCountsOtherThanOneOrThree() {
        assertThatThrownBy(() -> new InputSpec(4, 4, 2, new float[2], new float[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channels must be 1 (grayscale) or 3 (RGB), got 2");
    }

    @Test
    void shouldRejectMeanOrStdOfTheWrongLength() {
        assertThatThrownBy(() -> new InputSpec(4, 4, 3, new float[] {0}, new float[] {1, 1, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mean needs one value per channel (3)");
        assertThatThrownBy(() -> new InputSpec(4, 4, 1, new float[] {0}, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("std needs one value per channel (1), got null");
    }

    @Test
    void shouldRejectZeroOrNegativeStd() {
        assertThatThrownBy(() -> new InputSpec(4, 4, 1, new float[] {0}, new float[] {0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("std must be positive");
    }

    @Test
    void shouldNotBeChangedThroughTheArraysPassedInOrOut() {
        float[] mean = {0.5f};
        InputSpec spec = new InputSpec(2, 2, 1, mean, new float[] {1});

        mean[0] = 9;
        spec.mean()[0] = 9;

        assertThat(spec.mean()).containsExactly(0.5f);
        assertThat(spec).isEqualTo(new InputSpec(2, 2, 1, new float[] {0.5f}, new float[] {1}));
        assertThat(spec.size()).isEqualTo(4);
    }
}
