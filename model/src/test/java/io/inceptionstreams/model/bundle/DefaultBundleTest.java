package io.inceptionstreams.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.classify.Prediction;
import io.inceptionstreams.model.classify.TensorBatch;
import io.inceptionstreams.model.fashionmnist.FashionMnist;
import io.inceptionstreams.model.fashionmnist.SampleImages;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.model.preprocess.ImagePreprocessor;
import io.inceptionstreams.model.training.Evaluation;
import io.inceptionstreams.model.training.FashionMnistEvaluator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundle shipped in the jar: GoogLeNet trained by this project on Fashion-MNIST. */
class DefaultBundleTest {

    private static ImageClassifier classifier;

    @BeforeAll
    static void load() throws Exception {
        classifier = ImageClassifier.open(ModelBundle.openDefault(), "cpu", 3);
    }

    @AfterAll
    static void close() {
        classifier.close();
    }

    @Test
    void shouldDescribeAGrayscaleGoogLeNetForTheTenFashionMnistClasses() {
        BundleDescriptor descriptor = classifier.bundle().descriptor();
        assertThat(descriptor.architecture()).isEqualTo("googlenet");
        assertThat(descriptor.input().channels()).isEqualTo(1);
        assertThat(classifier.bundle().synset()).isEqualTo(FashionMnist.CLASS_NAMES);
    }

    @Test
    void shouldReachNinetyPercentOnTheFullFashionMnistTestSet() throws Exception {
        FashionMnist test = FashionMnist.load(FashionMnist.defaultDir(), FashionMnist.Split.TEST);

        Evaluation evaluation = FashionMnistEvaluator.evaluate(classifier, test, 0, 250, null);

        assertThat(evaluation.count()).isEqualTo(10_000);
        assertThat(evaluation.accuracy()).isGreaterThanOrEqualTo(0.90);
    }

    @Test
    void shouldClassifyTheBundledSampleImagesFromTheirEncodedBytes() throws Exception {
        ImagePreprocessor preprocessor =
                new ImagePreprocessor(classifier.inputSpec(), ImageLimits.defaults());
        List<SampleImages.Sample> samples = SampleImages.load();
        int size = classifier.inputSpec().size();
        float[] batch = new float[samples.size() * size];
        for (int i = 0; i < samples.size(); i++) {
            float[] image = preprocessor.preprocess(samples.get(i).bytes(), "image/png");
            System.arraycopy(image, 0, batch, i * size, size);
        }

        List<List<Prediction>> predictions =
                classifier.classify(new TensorBatch(batch, samples.size()));

        long correct = 0;
        for (int i = 0; i < samples.size(); i++) {
            List<Prediction> top = predictions.get(i);
            assertThat(top).hasSize(3);
            assertThat(top.get(0).confidence()).isGreaterThanOrEqualTo(top.get(1).confidence());
            if (top.get(0).classIndex() == samples.get(i).classIndex()) {
                correct++;
            }
        }
        assertThat((double) correct / samples.size()).isGreaterThanOrEqualTo(0.85);
    }
}
