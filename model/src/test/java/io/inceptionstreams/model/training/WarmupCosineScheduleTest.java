package io.inceptionstreams.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WarmupCosineScheduleTest {

    @Test
    void shouldWarmUpLinearlyThenDecayToTheFloor() {
        WarmupCosineSchedule schedule = new WarmupCosineSchedule(1e-3f, 1e-5f, 10, 110);
        assertThat(schedule.getNewValue(0)).isCloseTo(1e-4f, within(1e-9f));
        assertThat(schedule.getNewValue(9)).isCloseTo(1e-3f, within(1e-9f));
        assertThat(schedule.getNewValue(60)).isCloseTo((1e-3f + 1e-5f) / 2, within(1e-7f));
        assertThat(schedule.getNewValue(110)).isCloseTo(1e-5f, within(1e-9f));
        assertThat(schedule.getNewValue(500)).isCloseTo(1e-5f, within(1e-9f));
    }
}
