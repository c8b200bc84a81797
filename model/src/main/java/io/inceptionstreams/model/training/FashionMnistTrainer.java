package io.inceptionstreams.model.training;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import io.inceptionstreams.model.bundle.BundleDescriptor;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.bundle.NamedParameters;
import io.inceptionstreams.model.classify.Devices;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.fashionmnist.FashionMnist;
import io.inceptionstreams.model.googlenet.GoogLeNet;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.model.preprocess.ImagePreprocessor;
import io.inceptionstreams.model.preprocess.InputSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

/**
 * Trains GoogLeNet (with its two side classifiers) on Fashion-MNIST and writes a model bundle.
 *
 * <p>Without batch norm this 22-layer network is touchy: plain SGD with momentum stays near chance
 * for a long while, so the optimizer is Adam with a short linear warm-up and a cosine decay (see
 * {@link WarmupCosineSchedule}), on He-scaled Gaussian weights. Images go through the same {@link
 * ImagePreprocessor} that serves them, so training and serving see identical tensors.
 *
 * <p>A checkpoint is written after every epoch: all weights (side classifiers included), the
 * optimizer's state (each parameter's moments and update count, see {@link ResumableAdam}), the
 * epoch and the per-epoch history ({@link EpochResult}). {@link TrainingOptions#resume()} continues
 * from it exactly: the data order, the augmentation and dropout draws of every epoch derive from
 * the seed and the epoch's number, so a resumed run takes the steps the uninterrupted one would
 * have taken, on the same learning-rate curve.
 */
public final class FashionMnistTrainer {

    /** Fashion-MNIST's pixel mean and standard deviation over the training set (0..1 scale). */
    static final float MEAN = 0.2860f;

    static final float STD = 0.3530f;

    private static final String CHECKPOINT_WEIGHTS = "checkpoint.ndlist";
    private static final String CHECKPOINT_STATE = "checkpoint.properties";
    private static final String CHECKPOINT_OPTIMIZER = "optimizer.ndlist";
    private static final String CHECKPOINT_AVERAGE = "average.ndlist";

    private final TrainingOptions options;
    private final PrintStream out;

    public FashionMnistTrainer(TrainingOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** The input every bundle trained here expects: square, grayscale, Fashion-MNIST statistics. */
    public static InputSpec inputSpec(int imageSize) {
        return new InputSpec(imageSize, imageSize, 1, new float[] {MEAN}, new float[] {STD});
    }

    /**
     * The network trained here: GoogLeNet for Fashion-MNIST's ten classes on grayscale input, with
     * its side heads, weights drawn He-scaled Gaussian (Xavier with factor 2 over the inputs).
     */
    static GoogLeNet network() {
        GoogLeNet network =
                GoogLeNet.builder()
                        .setNumClasses(FashionMnist.CLASS_NAMES.size())
                        .optInputChannels(1)
                        .optAuxiliaryClassifiers(true)
                        .build();
        network.setInitializer(
                new XavierInitializer(
                        XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 2),
                Parameter.Type.WEIGHT);
        return network;
    }

    /** Trains, writes the bundle, and returns its evaluation on the test set. */
    public Evaluation train() throws IOException, MalformedModelException {
        FashionMnist trainSet = FashionMnist.load(options.dataDir(), FashionMnist.Split.TRAIN);
        FashionMnist testSet = FashionMnist.load(options.dataDir(), FashionMnist.Split.TEST);
        int trainCount =
                options.trainLimit() <= 0
                        ? trainSet.size()
                        : Math.min(options.trainLimit(), trainSet.size());
        InputSpec spec = inputSpec(options.imageSize());
        ImagePreprocessor preprocessor = new ImagePreprocessor(spec, ImageLimits.defaults());
        int batch = options.batchSize();
        int stepsPerEpoch = (trainCount + batch - 1) / batch;

        Engine.getEngine("MXNet").setRandomSeed(engineSeed(-1));
        Device device = Devices.resolve(options.device());
        GoogLeNet network = network();
        int startEpoch = options.resume() ? completedEpochs() : 0;
        List<EpochResult> history =
                new ArrayList<>(
                        startEpoch == 0
                                ? List.of()
                                : EpochResult.read(options.checkpointDir()).stream()
                                        .filter(e -> e.epoch() <= startEpoch)
                                        .toList());
        WarmupCosineSchedule schedule =
                new WarmupCosineSchedule(
                        options.learningRate(),
                        options.learningRate() / 100,
                        Math.min(300, stepsPerEpoch / 2),
                        options.epochs() * stepsPerEpoch);
        ResumableAdam optimizer =
                new ResumableAdam(schedule, options.weightDecay(), options.decoupledWeightDecay());
        try (NDManager manager = NDManager.newBaseManager(device, "MXNet")) {
            Step step =
                    new Step(
                            network,
                            manager,
                            new GoogLeNetLoss(options.labelSmoothing()),
                            optimizer);
            network.initialize(
                    manager, DataType.FLOAT32, new Shape(batch, 1, spec.height(), spec.width()));
            WeightAverage average =
                    startAverage(network, manager, startEpoch, startEpoch * stepsPerEpoch);
            if (startEpoch > 0) {
                loadCheckpoint(network, checkpointWeights());
                loadOptimizer(network, optimizer, startEpoch * stepsPerEpoch);
                out.printf("resumed from %s after epoch %d%n", options.checkpointDir(), startEpoch);
            }
            out.printf(
                    Locale.ROOT,
                    "training GoogLeNet on %d Fashion-MNIST images at %dx%d, batch %d, epochs %d-%d, %s%n",
                    trainCount,
                    spec.width(),
                    spec.height(),
                    batch,
                    startEpoch + 1,
                    options.epochs(),
                    device);
            for (int epoch = startEpoch; epoch < options.lastEpoch(); epoch++) {
                // Dropout's draws follow the epoch, so a resumed epoch draws as the first did.
                Engine.getEngine("MXNet").setRandomSeed(engineSeed(epoch));
                EpochResult trained =
                        trainEpoch(step, average, trainSet, trainCount, preprocessor, epoch);
                if (options.evaluatesAfter(epoch + 1)) {
                    swap(average);
                    double accuracy = quickAccuracy(step, testSet, preprocessor);
                    swap(average);
                    trained = trained.withTestAccuracy(accuracy);
                    out.printf(
                            Locale.ROOT,
                            "epoch %d: test accuracy %.4f (training-mode network%s, float32),"
                                    + " %.1f images/s%n",
                            epoch + 1,
                            accuracy,
                            average == null ? "" : ", averaged weights",
                            trained.imagesPerSecond());
                } else {
                    out.printf(
                            Locale.ROOT,
                            "epoch %d: not evaluated (--eval-every %d), %.1f images/s%n",
                            epoch + 1,
                            options.evalEvery(),
                            trained.imagesPerSecond());
                }
                history.add(trained);
                saveCheckpoint(network, optimizer, average, epoch + 1, history);
            }
            Properties extra = new Properties();
            extra.setProperty(
                    "trained.epochs", String.valueOf(Math.max(startEpoch, options.lastEpoch())));
            extra.setProperty("trained.with", trainedWith());
            swap(average); // the bundle ships the averaged weights; the run ends here
            writeBundle(network, spec, extra);
        }
        Evaluation evaluation;
        try (ImageClassifier classifier =
                ImageClassifier.open(
                        ModelBundle.open(options.bundleDir().toString()), options.device(), 1)) {
            evaluation =
                    FashionMnistEvaluator.evaluate(
                            classifier, testSet, options.evalLimit(), 256, null);
        }
        out.print(evaluation.confusionTable());
        return evaluation;
    }

    /**
     * Writes the bundle from the newest checkpoint without training, e.g. to ship the weights of an
     * epoch while a longer run continues. Returns the number of epochs the checkpoint holds.
     */
    public int exportCheckpoint() throws IOException, MalformedModelException {
        int epochs = completedEpochs();
        InputSpec spec = inputSpec(options.imageSize());
        GoogLeNet network = network();
        try (NDManager manager = NDManager.newBaseManager()) {
            network.initialize(
                    manager, DataType.FLOAT32, new Shape(1, 1, spec.height(), spec.width()));
            Path averaged = checkpointAverage();
            loadCheckpoint(network, Files.exists(averaged) ? averaged : checkpointWeights());
            Properties extra = new Properties();
            extra.setProperty("trained.epochs", String.valueOf(epochs));
            extra.setProperty("trained.with", checkpointState().getProperty("trained.with", ""));
            writeBundle(network, spec, extra);
        }
        return epochs;
    }

    /**
     * The moving average of the weights for {@code --ema-decay}, or null without one; called before
     * a resume loads the checkpoint's weights. A fresh run's average starts at the initial weights,
     * a resumed one at the checkpoint's average (read into the network, which the resume then
     * overwrites), or at the checkpoint's weights when it holds no average.
     */
    private WeightAverage startAverage(
            GoogLeNet network, NDManager manager, int startEpoch, int stepsDone)
            throws IOException, MalformedModelException {
        if (options.emaDecay() == 0) {
            return null;
        }
        if (startEpoch > 0) {
            if (Files.exists(checkpointAverage())) {
                loadCheckpoint(network, checkpointAverage());
            } else {
                out.printf(
                        "note: %s holds no weight average: it starts at the checkpoint's weights%n",
                        options.checkpointDir());
                loadCheckpoint(network, checkpointWeights());
            }
        }
        return new WeightAverage(network, manager, options.emaDecay(), stepsDone);
    }

    /** Exchanges the network's weights and their average, when there is one. */
    private static void swap(WeightAverage average) {
        if (average != null) {
            average.swap();
        }
    }

    /**
     * The epoch's training figures, its test accuracy not yet measured (NaN); {@code average}, when
     * not null, is updated after every step.
     */
    private EpochResult trainEpoch(
            Step training,
            WeightAverage average,
            FashionMnist data,
            int count,
            ImagePreprocessor preprocessor,
            int epoch) {
        int batch = options.batchSize();
        int imageSize = preprocessor.spec().size();
        int[] order = shuffled(count, new Random(options.seed() * 31 + epoch));
        Random augmentation = new Random(options.seed() * 17 + epoch);
        float[] images = new float[batch * imageSize];
        float[] labels = new float[batch];
        ProgressBar bar =
                new ProgressBar(
                        out, String.format("epoch %d/%d", epoch + 1, options.epochs()), count);
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        long started = System.nanoTime();
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            for (int i = 0; i < n; i++) {
                int index = order[start + i];
                preprocessor.preprocess(data.image(index), images, i * imageSize);
                if (options.augment()) {
                    augment(
                            images,
                            i * imageSize,
                            preprocessor.spec(),
                            augmentation,
                            options.maxShift());
                }
                erase(
                        images,
                        i * imageSize,
                        preprocessor.spec(),
                        augmentation,
                        options.randomErasing());
                labels[i] = data.label(index);
            }
            try (NDManager step = training.manager().newSubManager()) {
                Shape shape =
                        new Shape(n, 1, preprocessor.spec().height(), preprocessor.spec().width());
                NDArray x = step.create(java.nio.FloatBuffer.wrap(images, 0, n * imageSize), shape);
                NDArray y = step.create(java.nio.FloatBuffer.wrap(labels, 0, n), new Shape(n));
                Trained trained = training.train(x, y);
                if (average != null) {
                    average.update();
                }
                NDList predictions = trained.predictions();
                float loss = trained.loss();
                correct +=
                        predictions
                                .get(0)
                                .argMax(1)
                                .toType(DataType.FLOAT32, false)
                                .eq(y)
                                .sum()
                                .getLong();
                lossSum += loss * n;
                seen += n;
            }
            bar.update(
                    seen,
                    String.format(
                            Locale.ROOT,
                            "loss %.4f acc %.4f",
                            lossSum / seen,
                            (double) correct / seen));
        }
        return new EpochResult(
                epoch + 1,
                lossSum / seen,
                (double) correct / seen,
                Double.NaN,
                seen / ((System.nanoTime() - started) / 1e9));
    }

    /** MXNet's seed for the epoch ({@code -1}: the weights' initialisation). */
    private int engineSeed(int epoch) {
        return (int) (options.seed() * 1009 + epoch + 1);
    }

    /**
     * Random horizontal flip and a shift of up to {@code maxShift} of the side in each direction,
     * filled with background; the same draws whatever the shift, so 0 leaves the flips as they
     * were.
     */
    static void augment(float[] images, int offset, InputSpec spec, Random random, float maxShift) {
        int w = spec.width();
        int h = spec.height();
        boolean flip = random.nextBoolean();
        int maxShiftPixels = (int) (maxShift * w);
        int dx = random.nextInt(2 * maxShiftPixels + 1) - maxShiftPixels;
        int dy = random.nextInt(2 * maxShiftPixels + 1) - maxShiftPixels;
        float background = -spec.mean()[0] / spec.std()[0];
        float[] copy = new float[w * h];
        System.arraycopy(images, offset, copy, 0, w * h);
        for (int y = 0; y < h; y++) {
            int sy = y - dy;
            for (int x = 0; x < w; x++) {
                int sx = (flip ? w - 1 - x : x) - dx;
                images[offset + y * w + x] =
                        sy >= 0 && sy < h && sx >= 0 && sx < w ? copy[sy * w + sx] : background;
            }
        }
    }

    /**
     * Random erasing (Zhong et al., 2017): with {@code probability}, a rectangle of 2-33% of the
     * image with an aspect ratio of 0.3-3.3 is filled with Gaussian noise (in normalised units).
     * Draws nothing when {@code probability} is 0, so runs without it see the same augmentation.
     */
    static void erase(
            float[] images, int offset, InputSpec spec, Random random, float probability) {
        if (probability <= 0 || random.nextFloat() >= probability) {
            return;
        }
        int w = spec.width();
        int h = spec.height();
        for (int attempt = 0; attempt < 10; attempt++) {
            double area = w * h * (0.02 + random.nextDouble() * 0.31);
            double aspect = Math.exp(Math.log(0.3) + random.nextDouble() * 2 * Math.log(1 / 0.3));
            int eh = (int) Math.round(Math.sqrt(area * aspect));
            int ew = (int) Math.round(Math.sqrt(area / aspect));
            if (eh >= 1 && ew >= 1 && eh < h && ew < w) {
                int top = random.nextInt(h - eh + 1);
                int left = random.nextInt(w - ew + 1);
                for (int y = top; y < top + eh; y++) {
                    for (int x = left; x < left + ew; x++) {
                        images[offset + y * w + x] = (float) random.nextGaussian();
                    }
                }
                return;
            }
        }
    }

    private double quickAccuracy(Step training, FashionMnist data, ImagePreprocessor preprocessor) {
        int count =
                options.evalLimit() <= 0 ? data.size() : Math.min(options.evalLimit(), data.size());
        int batch = 250;
        int imageSize = preprocessor.spec().size();
        float[] images = new float[batch * imageSize];
        long correct = 0;
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            for (int i = 0; i < n; i++) {
                preprocessor.preprocess(data.image(start + i), images, i * imageSize);
            }
            try (NDManager step = training.manager().newSubManager()) {
                NDArray x =
                        step.create(
                                java.nio.FloatBuffer.wrap(images, 0, n * imageSize),
                                new Shape(
                                        n,
                                        1,
                                        preprocessor.spec().height(),
                                        preprocessor.spec().width()));
                long[] predicted =
                        training.forward(new NDList(x), false).get(0).argMax(1).toLongArray();
                for (int i = 0; i < n; i++) {
                    if (predicted[i] == data.label(start + i)) {
                        correct++;
                    }
                }
            }
        }
        return (double) correct / count;
    }

    private void writeBundle(GoogLeNet network, InputSpec spec, Properties extra)
            throws IOException {
        BundleDescriptor descriptor =
                new BundleDescriptor(
                        "googlenet-fashion-mnist",
                        options.version(),
                        BundleDescriptor.GOOGLENET,
                        spec,
                        FashionMnist.CLASS_NAMES.size(),
                        false,
                        "float16");
        Properties properties = new Properties();
        properties.putAll(extra);
        ModelBundle.write(
                options.bundleDir(), descriptor, FashionMnist.CLASS_NAMES, network, properties);
        out.println("wrote bundle " + options.bundleDir().toAbsolutePath());
    }

    /** The settings a bundle records, so its training can be repeated. */
    private String trainedWith() {
        return String.format(
                Locale.ROOT,
                "epochs=%d batch=%d lr=%s size=%d seed=%d augment=%s max-shift=%s"
                        + " random-erasing=%s label-smoothing=%s weight-decay=%s"
                        + " decoupled-weight-decay=%s ema-decay=%s",
                options.epochs(),
                options.batchSize(),
                options.learningRate(),
                options.imageSize(),
                options.seed(),
                options.augment(),
                options.maxShift(),
                options.randomErasing(),
                options.labelSmoothing(),
                options.weightDecay(),
                options.decoupledWeightDecay(),
                options.emaDecay());
    }

    private Properties checkpointState() throws IOException {
        Path state = options.checkpointDir().resolve(CHECKPOINT_STATE);
        if (!Files.exists(state)) {
            throw new IOException("there is no checkpoint at " + state);
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(state)) {
            p.load(in);
        }
        return p;
    }

    private int completedEpochs() throws IOException {
        Path state = options.checkpointDir().resolve(CHECKPOINT_STATE);
        Properties p = checkpointState();
        int size = Integer.parseInt(p.getProperty("image.size", "0"));
        if (size != options.imageSize()) {
            throw new IOException(
                    "checkpoint at "
                            + state
                            + " was trained at size "
                            + size
                            + ", not "
                            + options.imageSize());
        }
        return Integer.parseInt(p.getProperty("epoch"));
    }

    /**
     * The optimizer's state from the checkpoint; a checkpoint written before it was kept restarts
     * the moments at zero, on the learning-rate curve at {@code steps}.
     */
    private void loadOptimizer(GoogLeNet network, ResumableAdam optimizer, int steps)
            throws IOException {
        Path file = options.checkpointDir().resolve(CHECKPOINT_OPTIMIZER);
        if (!Files.exists(file)) {
            out.printf(
                    "note: %s holds no optimizer state (an older checkpoint): Adam's moments"
                            + " restart at zero%n",
                    options.checkpointDir());
            optimizer.startAt(steps);
            return;
        }
        Map<String, String> idOf = new HashMap<>();
        Map<String, NDArray> weightOf = new HashMap<>();
        for (Pair<String, Parameter> entry : network.getParameters()) {
            idOf.put(entry.getKey(), entry.getValue().getId());
            weightOf.put(entry.getValue().getId(), entry.getValue().getArray());
        }
        try (InputStream in = Files.newInputStream(file)) {
            optimizer.load(in, idOf, weightOf);
        }
        if (optimizer.steps() != steps) {
            throw new IOException(
                    file + " holds " + optimizer.steps() + " steps, the epochs " + steps);
        }
    }

    private void loadCheckpoint(GoogLeNet network, Path weights)
            throws IOException, MalformedModelException {
        try (InputStream in = Files.newInputStream(weights)) {
            NamedParameters.read(network, in, "checkpoint " + weights);
        }
    }

    private Path checkpointWeights() {
        return options.checkpointDir().resolve(CHECKPOINT_WEIGHTS);
    }

    private Path checkpointAverage() {
        return options.checkpointDir().resolve(CHECKPOINT_AVERAGE);
    }

    /**
     * Written to temporary files and moved into place, so a crash never leaves half a checkpoint.
     */
    private void saveCheckpoint(
            GoogLeNet network,
            ResumableAdam optimizer,
            WeightAverage average,
            int epoch,
            List<EpochResult> history)
            throws IOException {
        Path dir = options.checkpointDir();
        Files.createDirectories(dir);
        Path weights = dir.resolve(CHECKPOINT_WEIGHTS + ".tmp");
        try (OutputStream o = Files.newOutputStream(weights)) {
            NamedParameters.write(network, o, DataType.FLOAT32, name -> true);
        }
        List<Path> parts = new ArrayList<>(List.of(weights));
        if (average != null) {
            Path averaged = dir.resolve(CHECKPOINT_AVERAGE + ".tmp");
            average.swap();
            try (OutputStream o = Files.newOutputStream(averaged)) {
                NamedParameters.write(network, o, DataType.FLOAT32, name -> true);
            } finally {
                average.swap();
            }
            parts.add(averaged);
        } else {
            // A run without an average must not leave an older one for export to ship.
            Files.deleteIfExists(checkpointAverage());
        }
        Map<String, String> nameOf = new HashMap<>();
        for (Pair<String, Parameter> entry : network.getParameters()) {
            nameOf.put(entry.getValue().getId(), entry.getKey());
        }
        Path moments = dir.resolve(CHECKPOINT_OPTIMIZER + ".tmp");
        try (OutputStream o = Files.newOutputStream(moments)) {
            optimizer.save(o, nameOf);
        }
        parts.add(moments);
        Path curve = dir.resolve(EpochResult.FILE + ".tmp");
        Files.writeString(curve, EpochResult.csv(history));
        parts.add(curve);
        Properties p = new Properties();
        p.setProperty("epoch", String.valueOf(epoch));
        p.setProperty("image.size", String.valueOf(options.imageSize()));
        p.setProperty("seed", String.valueOf(options.seed()));
        p.setProperty("trained.with", trainedWith());
        Path state = dir.resolve(CHECKPOINT_STATE + ".tmp");
        try (OutputStream o = Files.newOutputStream(state)) {
            p.store(o, "GoogLeNet Fashion-MNIST training checkpoint");
        }
        // The properties file names the epoch, so it moves last: until it does, a resume
        // reads the epoch before and fails on the optimizer's step count rather than mixing.
        for (Path part : parts) {
            String name = part.getFileName().toString();
            Files.move(
                    part,
                    dir.resolve(name.substring(0, name.length() - ".tmp".length())),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(
                state,
                dir.resolve(CHECKPOINT_STATE),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static int[] shuffled(int count, Random random) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** What one training step gave: the network's outputs on the batch and its loss. */
    record Trained(NDList predictions, float loss) {}

    /**
     * One training step without DJL's {@code Trainer}: the network on its own parameter arrays, and
     * the optimizer updating them in place. The {@code Trainer} routes every update through the
     * engine's parameter server (for MXNet a KVStore that keeps a copy of every weight and pushes
     * and pulls each one per step): on one device that is only a cost, measured by {@code bench
     * train}, and its copy, taken when the trainer initializes, is what made loading a checkpoint
     * after that a no-op.
     */
    static final class Step {
        private final GoogLeNet network;
        private final NDManager manager;
        private final Loss loss;
        private final ResumableAdam optimizer;
        private final ParameterStore store;

        Step(GoogLeNet network, NDManager manager, Loss loss, ResumableAdam optimizer) {
            this.network = network;
            this.manager = manager;
            this.loss = loss;
            this.optimizer = optimizer;
            this.store = new ParameterStore(manager, false);
        }

        NDManager manager() {
            return manager;
        }

        NDList forward(NDList inputs, boolean training) {
            return network.forward(store, inputs, training);
        }

        /** Forward, loss and backward on one batch, then the update. */
        Trained train(NDArray images, NDArray labels) {
            NDList predictions;
            float value;
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                predictions = forward(new NDList(images), true);
                NDArray lossValue = loss.evaluate(new NDList(labels), predictions);
                collector.backward(lossValue);
                value = lossValue.getFloat();
            }
            update();
            return new Trained(predictions, value);
        }

        /** Applies the gradients of the last backward pass to every trainable parameter. */
        private void update() {
            for (Pair<String, Parameter> entry : network.getParameters()) {
                Parameter parameter = entry.getValue();
                if (parameter.requiresGradient()) {
                    NDArray weight = parameter.getArray();
                    optimizer.update(parameter.getId(), weight, weight.getGradient());
                }
            }
        }
    }
}
