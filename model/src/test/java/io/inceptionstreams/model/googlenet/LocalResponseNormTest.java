package io.inceptionstreams.model.googlenet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LocalResponseNormTest {

    @Test
    void shouldMatchTheCaffeFormulaOnTheEnginesOwnOperator() {
        checkAgainstDirectComputation(false);
    }

    @Test
    void shouldMatchTheCaffeFormulaAsABandedConvolution() {
        checkAgainstDirectComputation(true);
    }

    private static void checkAgainstDirectComputation(boolean banded) {
        int n = 2, c = 7, h = 3, w = 4, size = 5;
        float alpha = 0.3f, beta = 0.75f, k = 2f; // large alpha so the sum really matters
        float[] data = new float[n * c * h * w];
        Random random = new Random(7);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian() * 3;
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            LocalResponseNorm lrn = new LocalResponseNorm(size, alpha, beta, k);
            lrn.initialize(manager, DataType.FLOAT32, new Shape(n, c, h, w));
            NDArray x = manager.create(data, new Shape(n, c, h, w));
            float[] actual =
                    banded
                            ? lrn.banded(x).toFloatArray()
                            : lrn.forward(new ParameterStore(manager, false), new NDList(x), false)
                                    .singletonOrThrow()
                                    .toFloatArray();

            for (int b = 0; b < n; b++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int p = 0; p < h * w; p++) {
                        double sum = 0;
                        for (int j = Math.max(0, ch - size / 2);
                                j <= Math.min(c - 1, ch + size / 2);
                                j++) {
                            double v = data[(b * c + j) * h * w + p];
                            sum += v * v;
                        }
                        int index = (b * c + ch) * h * w + p;
                        double expected = data[index] / Math.pow(k + alpha / size * sum, beta);
                        assertThat((double) actual[index]).isCloseTo(expected, within(1e-4));
                    }
                }
            }
        }
    }
}
