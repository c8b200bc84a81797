package io.inceptionstreams.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.inceptionstreams.model.TestNetworks;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

    @TempDir Path dir;

    @Test
    void shouldGiveIdenticalOutputsAfterAFloat32RoundTrip() throws Exception {
        // Given a bundle written from one network and loaded twice
        ModelBundle bundle = TestNetworks.randomBundle(dir.resolve("b"), "float32");
        float[] images = TestNetworks.images(3, bundle.inputSpec(), 1);

        // When the same images go through both loaded copies
        float[] first = logits(bundle, images);
        float[] second = logits(ModelBundle.open(dir.resolve("b").toString()), images);

        // Then the outputs are bit-identical
        assertThat(second).containsExactly(first);
    }

    @Test
    void shouldStayCloseAfterAFloat16RoundTrip() throws Exception {
        ModelBundle full = TestNetworks.randomBundle(dir.resolve("full"), "float32");
        Path halfDir = dir.resolve("half");
        Files.createDirectories(halfDir);
        // Re-save the same weights as float16 by loading the float32 bundle's network.
        try (Model model = full.loadModel(Device.cpu())) {
            BundleDescriptor d = full.descriptor();
            ModelBundle.write(
                    halfDir,
                    new BundleDescriptor(
                            d.name(),
                            d.version(),
                            d.architecture(),
                            d.input(),
                            d.numClasses(),
                            false,
                            "float16"),
                    full.synset(),
                    (io.inceptionstreams.model.googlenet.GoogLeNet) model.getBlock(),
                    new java.util.Properties());
        }
        float[] images = TestNetworks.images(2, full.inputSpec(), 2);
        float[] exact = logits(full, images);
        float[] half = logits(ModelBundle.open(halfDir.toString()), images);
        for (int i = 0; i < exact.length; i++) {
            assertThat(half[i]).isCloseTo(exact[i], within(2e-2f + Math.abs(exact[i]) * 1e-2f));
        }
        assertThat(Files.size(halfDir.resolve(ModelBundle.PARAMETERS)))
                .isLessThan(
                        Files.size(dir.resolve("full").resolve(ModelBundle.PARAMETERS)) * 6 / 10);
    }

    @Test
    void shouldKeepDescriptorAndLabels() throws Exception {
        ModelBundle bundle = TestNetworks.randomBundle(dir, "float32");
        assertThat(bundle.synset()).isEqualTo(TestNetworks.LABELS);
        assertThat(bundle.descriptor().name()).isEqualTo("test-net");
        assertThat(bundle.inputSpec()).isEqualTo(TestNetworks.GRAY_48);
    }

    @Test
    void shouldNameTheMissingFile() {
        assertThatThrownBy(() -> ModelBundle.open(dir.resolve("nowhere").toString()))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("nowhere")
                .hasMessageContaining("bundle.properties");
    }

    @Test
    void shouldAcceptOnlyGoogLeNetFromTheModelZoo() {
        assertThatThrownBy(() -> ModelBundle.open("djl://ai.djl.mxnet/resnet"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("only GoogLeNet")
                .hasMessageContaining("djl://ai.djl.mxnet/resnet");
    }

    @Test
    void shouldRejectALabelCountThatDisagreesWithTheClassCount() throws Exception {
        TestNetworks.randomBundle(dir, "float32");
        Files.write(dir.resolve("synset.txt"), List.of("only", "three", "labels"));
        assertThatThrownBy(() -> ModelBundle.open(dir.toString()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("3 labels")
                .hasMessageContaining("classes=4");
    }

    @Test
    void shouldRejectWeightsOfAnotherShape() throws Exception {
        TestNetworks.randomBundle(dir, "float32");
        String properties = Files.readString(dir.resolve("bundle.properties"));
        Files.writeString(
                dir.resolve("bundle.properties"), properties.replace("classes=4", "classes=5"));
        Files.write(dir.resolve("synset.txt"), List.of("a", "b", "c", "d", "e"));
        ModelBundle bundle = ModelBundle.open(dir.toString());
        assertThatThrownBy(() -> bundle.loadModel(Device.cpu()))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("shape");
    }

    private static float[] logits(ModelBundle bundle, float[] images) throws Exception {
        try (Model model = bundle.loadModel(Device.cpu());
                NDManager manager = model.getNDManager().newSubManager()) {
            var spec = bundle.inputSpec();
            var x =
                    manager.create(
                            images,
                            new Shape(
                                    images.length / spec.size(),
                                    spec.channels(),
                                    spec.height(),
                                    spec.width()));
            return model.getBlock()
                    .forward(new ParameterStore(manager, false), new NDList(x), false)
                    .head()
                    .toFloatArray();
        }
    }
}
