package io.inceptionstreams.model.fashionmnist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.inceptionstreams.model.fashionmnist.FashionMnist.Split;
import io.inceptionstreams.model.fashionmnist.SampleImages.Sample;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.model.preprocess.ImagePreprocessor;
import io.inceptionstreams.model.preprocess.InputSpec;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SampleImagesTest {

    private static List<Sample> samples;
    private static FashionMnist test;

    @BeforeAll
    static void load() throws Exception {
        samples = SampleImages.load();
        test = FashionMnist.load(FashionMnist.defaultDir(), Split.TEST);
    }

    @Test
    void shouldBundle30ImagesOfEachClass() {
        assertThat(samples).hasSize(300);
        Map<String, Long> perLabel =
                samples.stream()
                        .collect(Collectors.groupingBy(Sample::label, Collectors.counting()));
        assertThat(perLabel.keySet()).containsExactlyInAnyOrderElementsOf(FashionMnist.CLASS_NAMES);
        assertThat(perLabel.values()).containsOnly(30L);
    }

    @Test
    void shouldLabelEachSampleAsTheIdxTestSetDoes() {
        for (Sample sample : samples) {
            assertThat(sample.classIndex())
                    .as(sample.fileName())
                    .isEqualTo(test.label(sample.testIndex()));
            assertThat(sample.label()).isEqualTo(FashionMnist.CLASS_NAMES.get(sample.classIndex()));
            assertThat(sample.fileName())
                    .isEqualTo(
                            SampleImageExporter.fileName(sample.testIndex(), sample.classIndex()));
        }
    }

    @Test
    void shouldDecodeEverySampleBackToItsIdxPixels() throws Exception {
        // A 28x28 spec with mean 0 and std 1 is the identity up to the 1/255 scale.
        ImagePreprocessor identity =
                new ImagePreprocessor(
                        new InputSpec(28, 28, 1, new float[] {0}, new float[] {1}),
                        ImageLimits.defaults());

        for (Sample sample : samples) {
            float[] pixels = identity.preprocess(sample.bytes(), "image/png");
            byte[] expected = test.pixels(sample.testIndex());
            for (int p = 0; p < expected.length; p++) {
                assertThat(pixels[p] * 255)
                        .as("%s pixel %d", sample.fileName(), p)
                        .isCloseTo(expected[p] & 0xFF, within(1e-3f));
            }
        }
    }

    @Test
    void shouldListEachTestImageOnceInAscendingOrder() {
        List<Integer> indices = samples.stream().map(Sample::testIndex).toList();

        assertThat(indices).isSorted().doesNotHaveDuplicates();
        assertThat(
                        samples.stream()
                                .collect(Collectors.toMap(Sample::fileName, Function.identity())))
                .hasSize(300);
    }
}
