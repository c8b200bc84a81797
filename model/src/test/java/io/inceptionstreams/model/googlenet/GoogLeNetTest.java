package io.inceptionstreams.model.googlenet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GoogLeNetTest {

    private static NDManager manager;
    private static ModelSummary imagenet;

    @BeforeAll
    static void initializeImageNetShape() {
        manager = NDManager.newBaseManager();
        GoogLeNet net = GoogLeNet.builder().setNumClasses(1000).build();
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
        imagenet = ModelSummary.of(net);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void shouldHaveThePapersParameterCountAtImageNetShape() {
        assertThat(imagenet.totalParameters()).isEqualTo(6_998_552L);
    }

    @Test
    void shouldHaveTable1ParametersInEveryLayer() {
        // Weights plus biases of each row, worked out by hand from Table 1's channel columns.
        Map<String, Long> expected =
                Map.ofEntries(
                        Map.entry("conv1", 9_472L),
                        Map.entry("conv2_reduce", 4_160L),
                        Map.entry("conv2", 110_784L),
                        Map.entry("inception_3a", 163_696L),
                        Map.entry("inception_3b", 388_736L),
                        Map.entry("inception_4a", 376_176L),
                        Map.entry("inception_4b", 449_160L),
                        Map.entry("inception_4c", 510_104L),
                        Map.entry("inception_4d", 605_376L),
                        Map.entry("inception_4e", 868_352L),
                        Map.entry("inception_5a", 1_043_456L),
                        Map.entry("inception_5b", 1_444_080L),
                        Map.entry("linear", 1_025_000L));
        expected.forEach(
                (layer, count) ->
                        assertThat(imagenet.row(layer).parameters()).as(layer).isEqualTo(count));
    }

    @Test
    void shouldProduceTable1OutputSizes() {
        assertThat(imagenet.row("conv1").output()).isEqualTo(new Shape(1, 64, 112, 112));
        assertThat(imagenet.row("pool1").output()).isEqualTo(new Shape(1, 64, 56, 56));
        assertThat(imagenet.row("conv2").output()).isEqualTo(new Shape(1, 192, 56, 56));
        assertThat(imagenet.row("pool2").output()).isEqualTo(new Shape(1, 192, 28, 28));
        assertThat(imagenet.row("inception_3a").output()).isEqualTo(new Shape(1, 256, 28, 28));
        assertThat(imagenet.row("inception_3b").output()).isEqualTo(new Shape(1, 480, 28, 28));
        assertThat(imagenet.row("pool3").output()).isEqualTo(new Shape(1, 480, 14, 14));
        assertThat(imagenet.row("inception_4a").output()).isEqualTo(new Shape(1, 512, 14, 14));
        assertThat(imagenet.row("inception_4d").output()).isEqualTo(new Shape(1, 528, 14, 14));
        assertThat(imagenet.row("inception_4e").output()).isEqualTo(new Shape(1, 832, 14, 14));
        assertThat(imagenet.row("pool4").output()).isEqualTo(new Shape(1, 832, 7, 7));
        assertThat(imagenet.row("inception_5b").output()).isEqualTo(new Shape(1, 1024, 7, 7));
        assertThat(imagenet.row("avg_pool").output()).isEqualTo(new Shape(1, 1024));
        assertThat(imagenet.row("linear").output()).isEqualTo(new Shape(1, 1000));
    }

    @Test
    void shouldBeTwentyTwoLayersDeepWithNineInceptionModules() {
        assertThat(imagenet.depth()).isEqualTo(22);
        assertThat(imagenet.rows().stream().filter(r -> r.inception() != null)).hasSize(9);
    }

    @Test
    void shouldCountMultiplyAddsLikeThePaper() {
        // Table 1: conv1 118M, conv2 360M, inception 3a 128M, 5b 71M (ops, rounded).
        assertThat(imagenet.row("conv1").multiplyAdds()).isEqualTo(112L * 112 * 64 * 3 * 7 * 7);
        assertThat(imagenet.row("conv2").multiplyAdds() / 1_000_000).isEqualTo(346);
        assertThat(imagenet.row("inception_3a").multiplyAdds() / 1_000_000).isEqualTo(128);
        assertThat(imagenet.row("inception_5b").multiplyAdds() / 1_000_000).isEqualTo(70);
        assertThat(imagenet.totalMultiplyAdds() / 100_000_000).isEqualTo(15);
    }

    @Test
    void shouldPrintTheSummaryTableWithATotalLine() {
        String table = imagenet.toTable();
        assertThat(table).contains("inception (4e)", "832", "1,444,080");
        assertThat(table).contains("total: 22 layers deep, 6,998,552 parameters");
    }

    @Test
    void shouldRunOnSmallGrayscaleInputsWithAuxiliaryHeadsOnlyWhenTraining() {
        try (NDManager local = NDManager.newBaseManager()) {
            GoogLeNet net =
                    GoogLeNet.builder()
                            .setNumClasses(10)
                            .optInputChannels(1)
                            .optAuxiliaryClassifiers(true)
                            .build();
            net.initialize(local, DataType.FLOAT32, new Shape(2, 1, 64, 64));
            NDArray images = local.randomUniform(0, 1, new Shape(2, 1, 64, 64));
            ParameterStore store = new ParameterStore(local, false);

            NDList training;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                training = net.forward(store, new NDList(images), true);
            }
            NDList inference = net.forward(store, new NDList(images), false);

            assertThat(training).hasSize(3);
            assertThat(training.get(1).getShape()).isEqualTo(new Shape(2, 10));
            assertThat(training.get(2).getShape()).isEqualTo(new Shape(2, 10));
            assertThat(inference).hasSize(1);
            assertThat(inference.head().getShape()).isEqualTo(new Shape(2, 10));
        }
    }

    @Test
    void shouldKeepAuxiliaryParametersApartFromTheInferenceNetwork() {
        try (NDManager local = NDManager.newBaseManager()) {
            GoogLeNet withAux =
                    GoogLeNet.builder().setNumClasses(10).optAuxiliaryClassifiers(true).build();
            GoogLeNet without = GoogLeNet.builder().setNumClasses(10).build();
            withAux.initialize(local, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            without.initialize(local, DataType.FLOAT32, new Shape(1, 3, 224, 224));

            var mainPath =
                    withAux.getParameters().keys().stream()
                            .filter(name -> !GoogLeNet.isAuxiliaryParameter(name))
                            .toList();

            assertThat(mainPath).isEqualTo(without.getParameters().keys());
            assertThat(withAux.getParameters().size()).isGreaterThan(mainPath.size());
        }
    }

    @Test
    void shouldRejectAMissingClassCount() {
        assertThatThrownBy(() -> GoogLeNet.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("setNumClasses");
    }
}
