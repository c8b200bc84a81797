package io.inceptionstreams.model.googlenet;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The inference path of a {@link GoogLeNet} as an MXNet symbol graph (the {@code *-symbol.json}
 * format), for running the whole network as one MXNet {@code CachedOp} instead of one JNA call per
 * operator.
 *
 * <p>The graph is derived from the network object itself (its layer list, each convolution's
 * kernel, stride, padding and filters, each inception module's channels), so it cannot drift from
 * the Java block. Operators and attributes are the ones DJL's imperative MXNet calls use ({@code
 * Convolution}, {@code Activation(relu)}, {@code Pooling} with Caffe's "full" rounding for the
 * stride-2 pools, {@code LRN}, {@code Concat}, global average {@code Pooling}, {@code
 * FullyConnected}); dropout is the identity at inference and is left out. Graph arguments are named
 * after the network's own parameter paths ({@link GoogLeNet#getParameters()}), so the same arrays
 * can feed both paths.
 */
public final class SymbolGraph {

    /** The name of the graph's only data input (NCHW float32 images). */
    public static final String INPUT = "data";

    private static final float BATCH_NORM_EPSILON = 1e-5f;
    private static final float BATCH_NORM_MOMENTUM = 0.9f;

    private final String json;
    private final Map<String, Parameter> arguments;

    private SymbolGraph(String json, Map<String, Parameter> arguments) {
        this.json = json;
        this.arguments = arguments;
    }

    /** The graph of an initialized network's inference path (no side classifiers, no dropout). */
    public static SymbolGraph of(GoogLeNet network) {
        if (!network.isInitialized()) {
            throw new IllegalStateException("initialize the network before exporting its graph");
        }
        return new Builder(network).build();
    }

    /** The MXNet symbol JSON. */
    public String json() {
        return json;
    }

    /**
     * The graph's weight arguments by name, each the network's own {@link Parameter} (batch-norm
     * running statistics included), in graph order.
     */
    public Map<String, Parameter> arguments() {
        return java.util.Collections.unmodifiableMap(arguments);
    }

    /** Builds the node list: one JSON object per node, variables included. */
    private static final class Builder {
        private final GoogLeNet network;
        private final Map<Parameter, String> names = new IdentityHashMap<>();
        private final Map<String, Parameter> arguments = new LinkedHashMap<>();
        private final List<String> nodes = new ArrayList<>();
        private final List<Integer> argNodes = new ArrayList<>();

        Builder(GoogLeNet network) {
            this.network = network;
            for (Pair<String, Parameter> entry : network.getParameters()) {
                names.put(entry.getValue(), entry.getKey());
            }
        }

        SymbolGraph build() {
            int x = variable(INPUT);
            for (GoogLeNet.Layer layer : network.layers()) {
                x = layer(layer, x);
            }
            StringBuilder out = new StringBuilder("{\n  \"nodes\": [\n");
            for (int i = 0; i < nodes.size(); i++) {
                out.append("    ").append(nodes.get(i)).append(i + 1 < nodes.size() ? ",\n" : "\n");
            }
            out.append("  ],\n  \"arg_nodes\": ").append(argNodes);
            out.append(",\n  \"heads\": [[").append(x).append(", 0, 0]]");
            out.append(",\n  \"attrs\": {\"mxnet_version\": [\"int\", 10900]}\n}\n");
            return new SymbolGraph(out.toString(), arguments);
        }

        private int layer(GoogLeNet.Layer layer, int x) {
            Block block = layer.block();
            String name = layer.name();
            if (block instanceof InceptionModule module) {
                return inception(name, module, x);
            }
            if (block instanceof LocalResponseNorm lrn) {
                return lrn(name, lrn, x);
            }
            if (block instanceof Linear linear) {
                return fullyConnected(name, linear, x);
            }
            if (layer.type().equals("convolution")) {
                return convUnit(name, (SequentialBlock) block, x);
            }
            if (layer.type().equals("max pool")) {
                return maxPool(name, x, 2, 0, "full");
            }
            if (layer.type().equals("avg pool")) {
                int pooled =
                        op(
                                "Pooling",
                                name,
                                attrs(
                                        "global_pool", "True",
                                        "kernel", "(1, 1)",
                                        "pool_type", "avg"),
                                x);
                return op("Flatten", name + "_flatten", attrs(), pooled);
            }
            if (layer.type().startsWith("dropout")) {
                return x; // the identity at inference
            }
            throw new IllegalStateException(
                    "no graph for layer " + name + " (" + layer.type() + ")");
        }

        private int inception(String name, InceptionModule module, int x) {
            Map<String, Block> branches = new LinkedHashMap<>();
            for (Pair<String, Block> child : module.getChildren()) {
                branches.put(child.getKey(), child.getValue());
            }
            List<Integer> heads = new ArrayList<>();
            int b = 0;
            for (Map.Entry<String, Block> branch : branches.entrySet()) {
                String prefix = name + "_b" + b++;
                Block block = branch.getValue();
                List<Block> units = new ArrayList<>();
                for (Pair<String, Block> child : block.getChildren()) {
                    units.add(child.getValue());
                }
                if (isConvUnit(block)) {
                    heads.add(convUnit(prefix, (SequentialBlock) block, x));
                } else if (branch.getKey().endsWith("pool_proj")) {
                    int pooled = maxPool(prefix + "_pool", x, 1, 1, "valid");
                    heads.add(convUnit(prefix + "_proj", (SequentialBlock) units.get(1), pooled));
                } else {
                    int y = x;
                    int u = 0;
                    for (Block unit : units) {
                        y = convUnit(prefix + "_" + u++, (SequentialBlock) unit, y);
                    }
                    heads.add(y);
                }
            }
            String[] attrs = {"dim", "1", "num_args", String.valueOf(heads.size())};
            return op("Concat", name + "_concat", attrs(attrs), toArray(heads));
        }

        private static boolean isConvUnit(Block block) {
            for (Pair<String, Block> child : block.getChildren()) {
                if (child.getValue() instanceof Convolution) {
                    return true;
                }
            }
            return false;
        }

        /** Conv2d, optional BatchNorm, ReLU: see {@link Layers#conv}. */
        private int convUnit(String name, SequentialBlock unit, int x) {
            int y = x;
            for (Pair<String, Block> child : unit.getChildren()) {
                Block block = child.getValue();
                if (block instanceof Convolution conv) {
                    y = convolution(name + "_conv", conv, y);
                } else if (block instanceof BatchNorm norm) {
                    y = batchNorm(name + "_bn", norm, y);
                }
            }
            return op("Activation", name + "_relu", attrs("act_type", "relu"), y);
        }

        private int convolution(String name, Convolution conv, int x) {
            List<Integer> inputs = new ArrayList<>(List.of(x));
            inputs.add(parameter(conv, "weight"));
            if (conv.isIncludeBias()) {
                inputs.add(parameter(conv, "bias"));
            }
            return op(
                    "Convolution",
                    name,
                    attrs(
                            "dilate", tuple(conv.getDilation()),
                            "kernel", tuple(conv.getKernelShape()),
                            "no_bias", conv.isIncludeBias() ? "False" : "True",
                            "num_filter", String.valueOf(conv.getFilters()),
                            "num_group", String.valueOf(conv.getGroups()),
                            "pad", tuple(conv.getPadding()),
                            "stride", tuple(conv.getStride())),
                    toArray(inputs));
        }

        private int batchNorm(String name, BatchNorm norm, int x) {
            return op(
                    "BatchNorm",
                    name,
                    attrs(
                            "axis",
                            "1",
                            "eps",
                            number(BATCH_NORM_EPSILON),
                            "fix_gamma",
                            "False",
                            "momentum",
                            number(BATCH_NORM_MOMENTUM)),
                    x,
                    parameter(norm, "gamma"),
                    parameter(norm, "beta"),
                    parameter(norm, "runningMean"),
                    parameter(norm, "runningVar"));
        }

        private int lrn(String name, LocalResponseNorm lrn, int x) {
            List<String> keyValues = new ArrayList<>();
            for (Pair<String, Object> parameter : lrn.mxnetParameters()) {
                keyValues.add(parameter.getKey());
                keyValues.add(String.valueOf(parameter.getValue()));
            }
            return op("LRN", name, attrs(keyValues.toArray(String[]::new)), x);
        }

        private int fullyConnected(String name, Linear linear, int x) {
            Shape weight = linear.getParameters().get("weight").getArray().getShape();
            return op(
                    "FullyConnected",
                    name,
                    attrs(
                            "flatten", "False",
                            "no_bias", "False",
                            "num_hidden", String.valueOf(weight.get(0))),
                    x,
                    parameter(linear, "weight"),
                    parameter(linear, "bias"));
        }

        private int maxPool(String name, int x, int stride, int pad, String convention) {
            return op(
                    "Pooling",
                    name,
                    attrs(
                            "kernel",
                            "(3, 3)",
                            "pad",
                            "(" + pad + ", " + pad + ")",
                            "pool_type",
                            "max",
                            "pooling_convention",
                            convention,
                            "stride",
                            "(" + stride + ", " + stride + ")"),
                    x);
        }

        private int parameter(Block block, String key) {
            Parameter parameter = block.getParameters().get(key);
            String name = names.get(parameter);
            if (name == null) {
                throw new IllegalStateException("parameter " + key + " is not the network's");
            }
            arguments.put(name, parameter);
            return variable(name);
        }

        private int variable(String name) {
            argNodes.add(nodes.size());
            nodes.add("{\"op\": \"null\", \"name\": " + quote(name) + ", \"inputs\": []}");
            return nodes.size() - 1;
        }

        private int op(String op, String name, String attrs, int... inputs) {
            StringBuilder node = new StringBuilder();
            node.append("{\"op\": ").append(quote(op)).append(", \"name\": ").append(quote(name));
            node.append(", \"attrs\": ").append(attrs).append(", \"inputs\": [");
            for (int i = 0; i < inputs.length; i++) {
                node.append(i == 0 ? "" : ", ").append('[').append(inputs[i]).append(", 0, 0]");
            }
            node.append("]}");
            nodes.add(node.toString());
            return nodes.size() - 1;
        }

        private static String attrs(String... keyValues) {
            StringBuilder out = new StringBuilder("{");
            for (int i = 0; i < keyValues.length; i += 2) {
                out.append(i == 0 ? "" : ", ")
                        .append(quote(keyValues[i]))
                        .append(": ")
                        .append(quote(keyValues[i + 1]));
            }
            return out.append('}').toString();
        }

        private static int[] toArray(List<Integer> values) {
            return values.stream().mapToInt(Integer::intValue).toArray();
        }

        private static String tuple(Shape shape) {
            StringBuilder out = new StringBuilder("(");
            for (int i = 0; i < shape.dimension(); i++) {
                out.append(i == 0 ? "" : ", ").append(shape.get(i));
            }
            return out.append(')').toString();
        }

        private static String number(float value) {
            return String.format(Locale.ROOT, "%s", value);
        }

        private static String quote(String value) {
            return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
    }
}
