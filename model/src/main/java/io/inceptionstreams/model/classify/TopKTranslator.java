package io.inceptionstreams.model.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.inceptionstreams.model.preprocess.InputSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds a whole {@link TensorBatch} to the network as one NCHW tensor and turns the logits into the
 * top-k classes per image. The batch is already batched, so DJL's batchifier stays out.
 */
final class TopKTranslator implements NoBatchifyTranslator<TensorBatch, List<List<Prediction>>> {

    private final InputSpec spec;
    private final List<String> labels;
    private final int topK;

    TopKTranslator(InputSpec spec, List<String> labels, int topK) {
        this.spec = spec;
        this.labels = labels;
        this.topK = Math.min(topK, labels.size());
    }

    @Override
    public NDList processInput(TranslatorContext ctx, TensorBatch batch) {
        Shape shape = new Shape(batch.count(), spec.channels(), spec.height(), spec.width());
        NDArray images =
                ctx.getNDManager()
                        .create(FloatBuffer.wrap(batch.data(), 0, (int) shape.size()), shape);
        return new NDList(images);
    }

    @Override
    public List<List<Prediction>> processOutput(TranslatorContext ctx, NDList list) {
        NDArray logits = list.get(0);
        int images = (int) logits.getShape().get(0);
        int classes = (int) logits.getShape().get(1);
        float[] probabilities = logits.softmax(1).toFloatArray();
        List<List<Prediction>> results = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            results.add(topK(probabilities, i * classes, classes));
        }
        return results;
    }

    /** Partial selection: k passes over a handful to a thousand classes beat a full sort. */
    private List<Prediction> topK(float[] probabilities, int offset, int classes) {
        List<Prediction> best = new ArrayList<>(topK);
        boolean[] taken = new boolean[classes];
        for (int k = 0; k < topK; k++) {
            int arg = -1;
            for (int c = 0; c < classes; c++) {
                if (!taken[c]
                        && (arg < 0 || probabilities[offset + c] > probabilities[offset + arg])) {
                    arg = c;
                }
            }
            taken[arg] = true;
            best.add(new Prediction(labels.get(arg), arg, probabilities[offset + arg]));
        }
        return List.copyOf(best);
    }
}
