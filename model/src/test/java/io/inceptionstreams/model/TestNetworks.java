package io.inceptionstreams.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.inceptionstreams.model.bundle.BundleDescriptor;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.googlenet.GoogLeNet;
import io.inceptionstreams.model.preprocess.InputSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/** Small randomly initialised bundles for tests that need a real network but not a trained one. */
public final class TestNetworks {

    public static final InputSpec GRAY_48 =
            new InputSpec(48, 48, 1, new float[] {0.5f}, new float[] {0.25f});
    public static final List<String> LABELS = List.of("cat", "dog", "fish", "bird");

    private TestNetworks() {}

    /**
     * Writes a randomly initialised 4-class GoogLeNet bundle for 48x48 grayscale input (the
     * smallest size at which every pool of Table 1 fits).
     */
    public static ModelBundle randomBundle(Path dir, String dataType) throws IOException {
        return randomBundle(dir, dataType, "0.0.1", LABELS, GRAY_48);
    }

    /**
     * A randomly initialised bundle of version {@code version}, with {@code labels} as its classes
     * and {@code input} as its input; each call draws new weights, so two bundles of the same shape
     * classify differently.
     */
    public static ModelBundle randomBundle(
            Path dir, String dataType, String version, List<String> labels, InputSpec input)
            throws IOException {
        GoogLeNet network =
                GoogLeNet.builder()
                        .setNumClasses(labels.size())
                        .optInputChannels(input.channels())
                        .build();
        try (NDManager manager = NDManager.newBaseManager()) {
            network.initialize(
                    manager,
                    DataType.FLOAT32,
                    new Shape(1, input.channels(), input.height(), input.width()));
            BundleDescriptor descriptor =
                    new BundleDescriptor(
                            "test-net",
                            version,
                            BundleDescriptor.GOOGLENET,
                            input,
                            labels.size(),
                            false,
                            dataType);
            ModelBundle.write(dir, descriptor, labels, network, new Properties());
        }
        return ModelBundle.open(dir.toString());
    }

    /** Deterministic pseudo-random images, already normalised. */
    public static float[] images(int count, InputSpec spec, long seed) {
        java.util.Random random = new java.util.Random(seed);
        float[] data = new float[count * spec.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return data;
    }
}
