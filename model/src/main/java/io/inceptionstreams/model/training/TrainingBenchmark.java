package io.inceptionstreams.model.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.inceptionstreams.model.classify.Devices;
import io.inceptionstreams.model.fashionmnist.FashionMnist;
import io.inceptionstreams.model.googlenet.GoogLeNet;
import java.nio.FloatBuffer;
import java.util.Random;

/**
 * Training images per second of the trainer's step (GoogLeNet with its side heads, the paper's
 * loss, Adam) on random images, by how the step is driven: what {@code bench train} measures to
 * size a run and to compare the trainer's own loop with DJL's {@code Trainer}.
 */
public final class TrainingBenchmark {

    /** How a training step is driven. */
    public enum Loop {
        /** The trainer's loop: the optimizer updates the parameter arrays in place. */
        DIRECT,
        /** DJL's {@code Trainer}: every update goes through the engine's parameter server. */
        DJL_TRAINER
    }

    private TrainingBenchmark() {}

    /**
     * Runs {@code warmup} untimed then {@code steps} timed training steps of {@code batch} random
     * {@code imageSize}x{@code imageSize} images and returns the timed images per second.
     */
    public static double imagesPerSecond(
            Loop loop, int imageSize, int batch, int warmup, int steps, String device) {
        Device target = Devices.resolve(device);
        GoogLeNet network = FashionMnistTrainer.network();
        ResumableAdam optimizer =
                new ResumableAdam(new WarmupCosineSchedule(1e-3f, 1e-5f, 1, warmup + steps), 0, 0);
        Shape shape = new Shape(batch, 1, imageSize, imageSize);
        try (NDManager manager = NDManager.newBaseManager(target, "MXNet")) {
            StepRunner runner;
            Model model = null;
            Trainer trainer = null;
            if (loop == Loop.DIRECT) {
                network.initialize(manager, DataType.FLOAT32, shape);
                FashionMnistTrainer.Step step =
                        new FashionMnistTrainer.Step(
                                network, manager, new GoogLeNetLoss(), optimizer);
                runner = (x, y) -> step.train(x, y);
            } else {
                model = Model.newInstance("training-benchmark", target, "MXNet");
                model.setBlock(network);
                trainer =
                        model.newTrainer(
                                new DefaultTrainingConfig(new GoogLeNetLoss())
                                        .optOptimizer(optimizer)
                                        .optDevices(new Device[] {target}));
                trainer.initialize(shape);
                Trainer djl = trainer;
                runner =
                        (x, y) -> {
                            try (GradientCollector collector = djl.newGradientCollector()) {
                                NDList out = djl.forward(new NDList(x));
                                NDArray loss = djl.getLoss().evaluate(new NDList(y), out);
                                collector.backward(loss);
                                loss.getFloat();
                            }
                            djl.step();
                        };
            }
            try {
                Random random = new Random(7);
                float[] images = new float[batch * imageSize * imageSize];
                float[] labels = new float[batch];
                long start = 0;
                for (int s = 0; s < warmup + steps; s++) {
                    if (s == warmup) {
                        start = System.nanoTime();
                    }
                    for (int i = 0; i < images.length; i++) {
                        images[i] = (float) random.nextGaussian();
                    }
                    for (int i = 0; i < batch; i++) {
                        labels[i] = random.nextInt(FashionMnist.CLASS_NAMES.size());
                    }
                    try (NDManager scope = manager.newSubManager()) {
                        runner.run(
                                scope.create(FloatBuffer.wrap(images), shape),
                                scope.create(FloatBuffer.wrap(labels), new Shape(batch)));
                    }
                }
                // The updates run asynchronously: wait for the last before stopping the clock.
                network.getParameters().valueAt(0).getArray().sum().getFloat();
                return (double) steps * batch / ((System.nanoTime() - start) / 1e9);
            } finally {
                if (trainer != null) {
                    trainer.close();
                }
                if (model != null) {
                    model.close();
                }
            }
        }
    }

    private interface StepRunner {
        void run(NDArray images, NDArray labels);
    }
}
