package io.inceptionstreams.model.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

class DevicesTest {

    @Test
    void shouldPickTheCpuWhenAskedOrWhenNoGpuIsVisible() {
        assertThat(Devices.resolve("cpu")).isEqualTo(Device.cpu());
        Device auto = Devices.resolve("auto");
        if (Engine.getEngine("MXNet").getGpuCount() == 0) {
            assertThat(auto).isEqualTo(Device.cpu());
        } else {
            assertThat(auto).isEqualTo(Device.gpu(0));
        }
    }

    @Test
    void shouldRefuseAGpuTheEngineCannotSee() {
        int gpus = Engine.getEngine("MXNet").getGpuCount();
        assertThatThrownBy(() -> Devices.resolve("gpu:" + gpus))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpu:" + gpus)
                .hasMessageContaining("CUDA");
    }

    @Test
    void shouldRejectUnknownDeviceNames() {
        assertThatThrownBy(() -> Devices.resolve("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto, cpu or gpu:N");
    }
}
