package io.inceptionstreams.model.classify;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Turns the {@code device} setting into a DJL {@link Device}: {@code auto} (GPU 0 when the MXNet
 * engine sees a GPU, else CPU), {@code cpu}, or {@code gpu:N}.
 *
 * <p>GPUs are visible only with a CUDA build of MXNet (DJL fetches one at run time, or {@code
 * MXNET_LIBRARY_PATH} points to one); with the CPU build from Maven Central {@code auto} is always
 * the CPU and {@code gpu:N} fails here, at start, rather than at the first batch.
 */
public final class Devices {

    private Devices() {}

    public static Device resolve(String setting) {
        String value = setting == null ? "auto" : setting.trim().toLowerCase(java.util.Locale.ROOT);
        if (value.equals("auto")) {
            return gpuCount() > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (value.equals("cpu")) {
            return Device.cpu();
        }
        if (value.matches("gpu(:\\d+)?")) {
            int id = value.equals("gpu") ? 0 : Integer.parseInt(value.substring(4));
            int gpus = gpuCount();
            if (id >= gpus) {
                throw new IllegalArgumentException(
                        "device "
                                + setting
                                + " requested but the MXNet engine sees "
                                + gpus
                                + " GPU(s); install a CUDA build of MXNet or use device=cpu");
            }
            return Device.gpu(id);
        }
        throw new IllegalArgumentException(
                "device must be auto, cpu or gpu:N, got '" + setting + "'");
    }

    private static int gpuCount() {
        return Engine.getEngine("MXNet").getGpuCount();
    }
}
