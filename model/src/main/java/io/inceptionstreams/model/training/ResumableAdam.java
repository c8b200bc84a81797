package io.inceptionstreams.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adam (Kingma and Ba, with the bias correction folded into the step size, as MXNet's {@code
 * adam_update} expects) whose whole state, each parameter's moment estimates and update count, can
 * be written to a checkpoint and read back: a resumed run takes exactly the steps the uninterrupted
 * one would have. DJL's own {@code Adam} keeps that state private, so a resumed run restarted the
 * moments at zero and the bias correction at step one.
 *
 * <p>The state is keyed by DJL's parameter ids while training and by the parameters' stable names
 * (their paths in the block) in the checkpoint, since ids are drawn anew for every network object.
 * One device: the trainer runs on one.
 */
final class ResumableAdam extends Optimizer {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;
    private static final String MEAN = "mean/";
    private static final String VARIANCE = "variance/";
    private static final String STEPS = "steps/";

    private final Tracker learningRate;
    private final float decoupledWeightDecay;
    private final Map<String, NDArray> means = new ConcurrentHashMap<>();
    private final Map<String, NDArray> variances = new ConcurrentHashMap<>();
    private final Map<String, Integer> steps = new ConcurrentHashMap<>();
    private volatile int initialSteps;

    /**
     * @param learningRate the rate at each update, counted from 0 over the whole run
     * @param weightDecay L2 weight decay added to the gradient (0 for none)
     * @param decoupledWeightDecay weight decay apart from the gradient (AdamW, Loshchilov and
     *     Hutter, 2019): each update first scales the weight by {@code 1 - rate *
     *     decoupledWeightDecay}, {@code rate} being the update's learning rate (0 for none)
     */
    ResumableAdam(Tracker learningRate, float weightDecay, float decoupledWeightDecay) {
        super(new Settings().optWeightDecays(weightDecay));
        if (!Float.isFinite(weightDecay) || !Float.isFinite(decoupledWeightDecay)) {
            throw new IllegalArgumentException(
                    "weight decays " + weightDecay + ", " + decoupledWeightDecay + " not finite");
        }
        this.learningRate = learningRate;
        this.decoupledWeightDecay = decoupledWeightDecay;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        int t = steps.compute(parameterId, (id, done) -> (done == null ? initialSteps : done) + 1);
        float rate = learningRate.getNewValue(t - 1);
        float corrected =
                (float) (rate * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t)));
        if (!Float.isFinite(corrected)) {
            throw new IllegalStateException(
                    "learning rate " + corrected + " is not finite at step " + t);
        }
        NDArray mean = means.computeIfAbsent(parameterId, id -> state(weight.zerosLike()));
        NDArray variance = variances.computeIfAbsent(parameterId, id -> state(weight.zerosLike()));
        if (decoupledWeightDecay != 0) {
            weight.muli(1 - rate * decoupledWeightDecay);
        }
        weight.getNDArrayInternal()
                .adamUpdate(
                        new NDList(weight, grad, mean, variance),
                        new NDList(weight),
                        rate,
                        corrected,
                        getWeightDecay(),
                        rescaleGrad,
                        clipGrad,
                        BETA1,
                        BETA2,
                        EPSILON,
                        true,
                        false);
    }

    /**
     * Continues the learning-rate curve at {@code stepsDone} with fresh moments: for a checkpoint
     * that holds no optimizer state.
     */
    void startAt(int stepsDone) {
        initialSteps = stepsDone;
    }

    /** Updates taken so far by the parameter updated most (every one, in this trainer). */
    int steps() {
        return steps.values().stream().mapToInt(Integer::intValue).max().orElse(initialSteps);
    }

    /**
     * Writes the state, each parameter under its stable name.
     *
     * @param nameOf a parameter's stable name by its id
     */
    void save(OutputStream out, Map<String, String> nameOf) throws IOException {
        try (NDManager scratch = NDManager.newBaseManager()) {
            NDList state = new NDList();
            for (Map.Entry<String, Integer> entry : steps.entrySet()) {
                String name = nameOf.get(entry.getKey());
                if (name == null) {
                    throw new IllegalStateException("no name for parameter " + entry.getKey());
                }
                // The live moments, named for the file (names are not used otherwise); the
                // step counts are scratch arrays, freed with their manager.
                state.add(named(means.get(entry.getKey()), MEAN + name));
                state.add(named(variances.get(entry.getKey()), VARIANCE + name));
                state.add(named(scratch.create(entry.getValue()), STEPS + name));
            }
            out.write(state.encode());
        }
    }

    /**
     * Reads a state written by {@link #save}, onto the manager and device of each parameter's
     * weights.
     *
     * @param idOf a parameter's id by its stable name
     * @param weightOf a parameter's weights by its id
     */
    void load(InputStream in, Map<String, String> idOf, Map<String, NDArray> weightOf)
            throws IOException {
        try (NDManager scratch = NDManager.newBaseManager()) {
            NDList state = NDList.decode(scratch, in.readAllBytes());
            for (NDArray array : state) {
                String key = array.getName();
                int slash = key.indexOf('/');
                String id = idOf.get(key.substring(slash + 1));
                if (id == null) {
                    throw new IOException("optimizer state for an unknown parameter: " + key);
                }
                String kind = key.substring(0, slash + 1);
                if (kind.equals(STEPS)) {
                    steps.put(id, array.getInt());
                } else {
                    NDArray weight = weightOf.get(id);
                    NDArray copy =
                            weight.getManager().create(array.getShape(), array.getDataType());
                    array.copyTo(copy);
                    (kind.equals(MEAN) ? means : variances).put(id, copy);
                }
            }
        }
        if (means.size() != steps.size() || variances.size() != steps.size()) {
            throw new IOException("optimizer state incomplete: moments of some parameters missing");
        }
    }

    /**
     * Detached from the weights' manager: the state lives as long as the optimizer, not as the
     * scopes the weights pass through during a step (as DJL's own optimizers keep theirs).
     */
    private static NDArray state(NDArray array) {
        array.detach();
        return array;
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }

    /** DJL's builder of the base class's settings (weight decay, gradient clipping). */
    private static final class Settings extends OptimizerBuilder<Settings> {
        @Override
        protected Settings self() {
            return this;
        }
    }
}
