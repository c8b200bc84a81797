package io.inceptionstreams.model.training;

import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.classify.Prediction;
import io.inceptionstreams.model.classify.TensorBatch;
import io.inceptionstreams.model.fashionmnist.FashionMnist;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.model.preprocess.ImagePreprocessor;
import java.io.PrintStream;
import java.util.List;

/**
 * Measures a classifier on Fashion-MNIST images through the serving path: the same preprocessor and
 * the same batched classifier the stream processor uses, so the figure is the service's.
 */
public final class FashionMnistEvaluator {

    private FashionMnistEvaluator() {}

    /**
     * Classifies the first {@code limit} images of {@code data} (all when {@code limit <= 0}) in
     * batches of {@code batchSize}; {@code progress} may be null.
     */
    public static Evaluation evaluate(
            ImageClassifier classifier,
            FashionMnist data,
            int limit,
            int batchSize,
            PrintStream progress) {
        int count = limit <= 0 ? data.size() : Math.min(limit, data.size());
        List<String> labels = classifier.bundle().synset();
        int[][] confusion = new int[labels.size()][labels.size()];
        ImagePreprocessor preprocessor =
                new ImagePreprocessor(classifier.inputSpec(), ImageLimits.defaults());
        int imageSize = classifier.inputSpec().size();
        float[] buffer = new float[batchSize * imageSize];
        ProgressBar bar = progress == null ? null : new ProgressBar(progress, "evaluate", count);
        for (int start = 0; start < count; start += batchSize) {
            int n = Math.min(batchSize, count - start);
            for (int i = 0; i < n; i++) {
                preprocessor.preprocess(data.image(start + i), buffer, i * imageSize);
            }
            List<List<Prediction>> predictions = classifier.classify(new TensorBatch(buffer, n));
            for (int i = 0; i < n; i++) {
                confusion[data.label(start + i)][predictions.get(i).get(0).classIndex()]++;
            }
            if (bar != null) {
                bar.update(start + n, "");
            }
        }
        return new Evaluation(labels, confusion);
    }
}
