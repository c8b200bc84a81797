package io.inceptionstreams.model.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.inceptionstreams.model.TestNetworks;
import io.inceptionstreams.model.bundle.BundleDescriptor;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.googlenet.GoogLeNet;
import io.inceptionstreams.model.googlenet.InceptionModule;
import io.inceptionstreams.model.googlenet.SymbolGraph;
import io.inceptionstreams.model.preprocess.InputSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The speed fixes found with {@link ClassifierBenchmark} change no output: the cached graph gives
 * the imperative block's logits and predictions, and the inception module's oneDNN concat gives the
 * generic concat's values and gradients.
 */
class CachedGraphEquivalenceTest {

    @TempDir Path dir;

    @Test
    void shouldGiveTheImperativeLogitsAsACachedGraph() throws Exception {
        checkLogits(TestNetworks.randomBundle(dir, "float32"), new int[] {1, 3, 2});
    }

    @Test
    void shouldGiveTheImperativeLogitsForTheBatchNormVariant() throws Exception {
        GoogLeNet network =
                GoogLeNet.builder().setNumClasses(5).optInputChannels(3).optBatchNorm(true).build();
        InputSpec spec =
                new InputSpec(
                        48, 48, 3, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.2f, 0.2f, 0.2f});
        try (NDManager manager = NDManager.newBaseManager()) {
            network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 48, 48));
            // non-trivial running statistics, so the graph must really use them
            for (Pair<String, ai.djl.nn.Parameter> p : network.getParameters()) {
                if (p.getKey().endsWith("runningVar")) {
                    NDArray a = p.getValue().getArray();
                    a.set(a.onesLike().mul(2.5f).toFloatArray());
                } else if (p.getKey().endsWith("runningMean")) {
                    NDArray a = p.getValue().getArray();
                    a.set(a.onesLike().mul(0.1f).toFloatArray());
                }
            }
            ModelBundle.write(
                    dir,
                    new BundleDescriptor(
                            "bn", "0", BundleDescriptor.GOOGLENET, spec, 5, true, "float32"),
                    List.of("a", "b", "c", "d", "e"),
                    network,
                    new Properties());
        }
        checkLogits(ModelBundle.open(dir.toString()), new int[] {2});
    }

    private static void checkLogits(ModelBundle bundle, int[] batchSizes) throws Exception {
        InputSpec spec = bundle.inputSpec();
        try (Model imperative = bundle.loadModel(Device.cpu());
                Model graph = bundle.loadModel(Device.cpu());
                NDManager manager = NDManager.newBaseManager()) {
            GoogLeNet network = (GoogLeNet) graph.getBlock();
            assertThat(SymbolGraph.of(network).arguments()).hasSize(network.getParameters().size());
            Execution.CACHED_GRAPH.apply(graph);
            assertThat(graph.getBlock()).isNotInstanceOf(GoogLeNet.class);
            for (int batch : batchSizes) {
                NDArray x =
                        manager.create(
                                TestNetworks.images(batch, spec, batch),
                                new Shape(batch, spec.channels(), spec.height(), spec.width()));
                float[] expected = logits(imperative.getBlock(), manager, x);
                float[] actual = logits(graph.getBlock(), manager, x);
                assertThat(actual).hasSize(expected.length);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i])
                            .isCloseTo(expected[i], within(1e-4f * (1 + Math.abs(expected[i]))));
                }
            }
        }
    }

    private static float[] logits(Block block, NDManager manager, NDArray x) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), false)
                .singletonOrThrow()
                .toFloatArray();
    }

    @Test
    void shouldClassifyAlikeWithBothExecutions() throws Exception {
        ModelBundle bundle = TestNetworks.randomBundle(dir, "float32");
        float[] images = TestNetworks.images(5, bundle.inputSpec(), 11);
        List<List<Prediction>> imperative;
        List<List<Prediction>> graph;
        try (ImageClassifier a = ImageClassifier.open(bundle, "cpu", 4, Execution.IMPERATIVE);
                ImageClassifier b = ImageClassifier.open(bundle, "cpu", 4)) {
            assertThat(b.execution()).isEqualTo(Execution.CACHED_GRAPH);
            imperative = a.classify(new TensorBatch(images, 5));
            graph = b.classify(new TensorBatch(images, 5));
            // a second input shape through the same cached graph
            List<List<Prediction>> two = b.classify(new TensorBatch(images, 2));
            for (int i = 0; i < 2; i++) {
                assertThat(two.get(i).get(0).classIndex())
                        .isEqualTo(graph.get(i).get(0).classIndex());
            }
        }
        for (int i = 0; i < 5; i++) {
            for (int k = 0; k < 4; k++) {
                Prediction p = imperative.get(i).get(k);
                Prediction q = graph.get(i).get(k);
                assertThat(q.classIndex()).isEqualTo(p.classIndex());
                assertThat(q.label()).isEqualTo(p.label());
                assertThat(q.confidence()).isCloseTo(p.confidence(), within(1e-5f));
            }
        }
    }

    @Test
    void shouldConcatenateInceptionBranchesLikeTheGenericConcatWithTheSameGradient() {
        InceptionModule module =
                new InceptionModule(new InceptionModule.Channels(8, 4, 8, 2, 4, 4), false);
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(2, 6, 7, 7);
            module.initialize(manager, DataType.FLOAT32, shape);
            NDArray x = manager.randomNormal(shape);
            x.setRequiresGradient(true);
            ParameterStore store = new ParameterStore(manager, false);

            NDArray actual;
            float[] actualGradient;
            try (GradientCollector collector =
                    ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                actual = module.forward(store, new NDList(x), true).singletonOrThrow();
                collector.backward(actual.mul(actual).sum());
            }
            actualGradient = x.getGradient().toFloatArray();

            NDArray expected;
            try (GradientCollector collector =
                    ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDList branches = new NDList();
                for (Pair<String, Block> branch : module.getChildren()) {
                    branches.add(
                            branch.getValue()
                                    .forward(store, new NDList(x), true)
                                    .singletonOrThrow());
                }
                expected = NDArrays.concat(branches, 1);
                collector.backward(expected.mul(expected).sum());
            }
            float[] expectedGradient = x.getGradient().toFloatArray();

            assertThat(actual.getShape()).isEqualTo(new Shape(2, 24, 7, 7));
            assertThat(actual.toFloatArray()).containsExactly(expected.toFloatArray());
            assertThat(actualGradient).containsExactly(expectedGradient, within(1e-5f));
        }
    }
}
