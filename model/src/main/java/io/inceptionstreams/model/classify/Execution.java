package io.inceptionstreams.model.classify;

import ai.djl.Model;
import ai.djl.mxnet.engine.MxNDManager;
import ai.djl.mxnet.engine.MxSymbolBlock;
import ai.djl.mxnet.engine.Symbol;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.inceptionstreams.model.googlenet.GoogLeNet;
import io.inceptionstreams.model.googlenet.SymbolGraph;
import java.util.List;

/**
 * How an {@link ImageClassifier} runs the network: both give the same outputs (the same MXNet and
 * oneDNN kernels run on the same weights), they differ only in speed.
 *
 * <p>Measured with {@code io.inceptionstreams.cli.bench.ClassifierBenchmark}, side by side in one
 * process on a 2-core CPU (224x224x3, 1000 classes, random weights, OMP_NUM_THREADS=2), the cached
 * graph ran 1.1-1.5x the images/s of the imperative block once the inception modules use MXNet's
 * oneDNN {@code Concat} (and 2-2.8x the imperative block before that fix), at batch 1, 8 and 32 and
 * also when batch sizes alternate.
 */
public enum Execution {

    /**
     * The network as one MXNet {@code CachedOp}: the {@link SymbolGraph} of the loaded {@link
     * GoogLeNet}, fed with the very same weight arrays, run by DJL's {@link MxSymbolBlock} (whose
     * cached op is created with {@code static_alloc} and {@code static_shape}, so memory is planned
     * once per input shape). One native call per batch instead of one per operator, no per-operator
     * output allocation, and the graph's oneDNN layout is kept from end to end. The default.
     */
    CACHED_GRAPH,

    /** The Java {@link GoogLeNet} block, one MXNet operator call at a time (DJL's default). */
    IMPERATIVE;

    /**
     * Switches a model loaded by {@code ModelBundle#loadModel} to this execution: for {@link
     * #CACHED_GRAPH} its block becomes the graph, sharing the network's weight arrays.
     */
    public void apply(Model model) {
        if (this == IMPERATIVE) {
            return;
        }
        if (!(model.getBlock() instanceof GoogLeNet network)) {
            // A model-zoo network arrives as an MXNet symbol already: it runs as a cached op.
            return;
        }
        NDManager manager = model.getNDManager();
        if (!(manager instanceof MxNDManager mxnet)) {
            throw new IllegalArgumentException(
                    "the cached graph needs the MXNet engine, got "
                            + manager.getEngine().getEngineName());
        }
        SymbolGraph graph = SymbolGraph.of(network);
        MxSymbolBlock block = new MxSymbolBlock(mxnet, Symbol.loadJson(mxnet, graph.json()));
        for (Parameter parameter : block.getAllParameters()) {
            if (parameter.getName().equals(SymbolGraph.INPUT)) {
                continue;
            }
            Parameter source = graph.arguments().get(parameter.getName());
            if (source == null) {
                throw new IllegalStateException("graph argument without weights: " + parameter);
            }
            parameter.setArray(source.getArray());
        }
        block.setInputNames(List.of(SymbolGraph.INPUT));
        model.setBlock(block);
    }
}
