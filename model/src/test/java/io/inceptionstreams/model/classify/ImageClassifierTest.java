package io.inceptionstreams.model.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.inceptionstreams.model.NativeMemory;
import io.inceptionstreams.model.TestNetworks;
import io.inceptionstreams.model.bundle.ModelBundle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageClassifierTest {

    @TempDir Path dir;

    @Test
    void shouldReturnTopKSoftmaxOfTheNetworkHighestFirst() throws Exception {
        // Given a bundle and the network's own logits for three images
        ModelBundle bundle = TestNetworks.randomBundle(dir, "float32");
        float[] images = TestNetworks.images(3, bundle.inputSpec(), 3);
        float[] logits = logits(bundle, images, 3);

        // When the classifier classifies them with k = 2
        List<List<Prediction>> results;
        try (ImageClassifier classifier = ImageClassifier.open(bundle, "cpu", 2)) {
            results = classifier.classify(new TensorBatch(images, 3));
        }

        // Then each image has its two most probable classes, by softmax, in order
        assertThat(results).hasSize(3);
        for (int i = 0; i < 3; i++) {
            double[] softmax = softmax(logits, i * 4, 4);
            Integer[] order = {0, 1, 2, 3};
            java.util.Arrays.sort(order, (a, b) -> Double.compare(softmax[b], softmax[a]));
            List<Prediction> top = results.get(i);
            assertThat(top).hasSize(2);
            for (int k = 0; k < 2; k++) {
                assertThat(top.get(k).classIndex()).isEqualTo(order[k]);
                assertThat(top.get(k).label()).isEqualTo(TestNetworks.LABELS.get(order[k]));
                assertThat((double) top.get(k).confidence())
                        .isCloseTo(softmax[order[k]], within(1e-5));
            }
        }
    }

    @Test
    void shouldServeManyThreadsThroughOneWorkerWithTheSameAnswers() throws Exception {
        ModelBundle bundle = TestNetworks.randomBundle(dir, "float32");
        float[] images = TestNetworks.images(2, bundle.inputSpec(), 4);
        try (ImageClassifier classifier = ImageClassifier.open(bundle, "cpu", 1)) {
            List<List<Prediction>> expected = classifier.classify(new TensorBatch(images, 2));
            List<CompletableFuture<List<List<Prediction>>>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                futures.add(
                        CompletableFuture.supplyAsync(
                                () -> classifier.classify(new TensorBatch(images, 2))));
            }
            for (var future : futures) {
                assertThat(future.get()).isEqualTo(expected);
            }
        }
    }

    @Test
    void shouldKeepNativeMemoryFlatAcrossManyBatches() throws Exception {
        ModelBundle bundle = TestNetworks.randomBundle(dir, "float32");
        float[] images = TestNetworks.images(16, bundle.inputSpec(), 5);
        try (ImageClassifier classifier = ImageClassifier.open(bundle, "cpu", 3)) {
            for (int i = 0; i < 20; i++) {
                classifier.classify(new TensorBatch(images, 16));
            }
            long before = NativeMemory.residentBytes();
            // Each batch allocates tens of MB of activations: a leak of even one array per
            // batch would show up here as hundreds of MB.
            for (int i = 0; i < 150; i++) {
                classifier.classify(new TensorBatch(images, 16));
            }
            long after = NativeMemory.residentBytes();
            assertThat(after - before).isLessThan(64L * 1024 * 1024);
        }
    }

    @Test
    void shouldRejectABatchShorterThanItsCount() throws Exception {
        ModelBundle bundle = TestNetworks.randomBundle(dir, "float32");
        try (ImageClassifier classifier = ImageClassifier.open(bundle, "cpu", 1)) {
            assertThatThrownBy(() -> classifier.classify(new TensorBatch(new float[10], 2)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("batch of 2 images needs 4608 floats");
        }
    }

    private static float[] logits(ModelBundle bundle, float[] images, int count) throws Exception {
        try (Model model = bundle.loadModel(Device.cpu());
                NDManager manager = model.getNDManager().newSubManager()) {
            var x = manager.create(images, new Shape(count, 1, 48, 48));
            return model.getBlock()
                    .forward(new ParameterStore(manager, false), new NDList(x), false)
                    .head()
                    .toFloatArray();
        }
    }

    private static double[] softmax(float[] logits, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.exp(logits[offset + i] - max);
            sum += out[i];
        }
        for (int i = 0; i < n; i++) {
            out[i] /= sum;
        }
        return out;
    }
}
