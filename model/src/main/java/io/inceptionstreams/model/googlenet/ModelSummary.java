package io.inceptionstreams.model.googlenet;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The per-layer table of a {@link GoogLeNet} in the layout of the paper's Table 1: type, patch
 * size/stride, output size, depth, the inception channel columns, parameters and multiply-adds.
 *
 * <p>Parameters are counted from the initialized block's own arrays (weights and biases), and
 * multiply-adds from each convolution's and linear layer's real input and output shapes, so the
 * table describes the network that runs, not a copy of the paper.
 */
public final class ModelSummary {

    /** One row; the inception columns are zero for other layers. */
    public record Row(
            String name,
            String type,
            String patch,
            Shape output,
            int depth,
            InceptionModule.Channels inception,
            long parameters,
            long multiplyAdds) {}

    private final List<Row> rows;
    private final Shape input;

    private ModelSummary(List<Row> rows, Shape input) {
        this.rows = List.copyOf(rows);
        this.input = input;
    }

    /**
     * Summarises an initialized network. The batch dimension of the input shape it was initialized
     * with is ignored in the output sizes; multiply-adds are per image.
     */
    public static ModelSummary of(GoogLeNet network) {
        if (!network.isInitialized()) {
            throw new IllegalStateException("initialize the network before summarising it");
        }
        Shape input = network.getInputShapes()[0];
        List<Row> rows = new ArrayList<>();
        Shape[] shapes = network.getInputShapes();
        for (GoogLeNet.Layer layer : network.layers()) {
            Block block = layer.block();
            shapes = block.getOutputShapes(shapes);
            InceptionModule.Channels channels =
                    block instanceof InceptionModule module ? module.channels() : null;
            rows.add(
                    new Row(
                            layer.name(),
                            layer.type(),
                            layer.patch(),
                            shapes[0],
                            depth(layer),
                            channels,
                            parameterCount(block),
                            multiplyAdds(block) / input.get(0)));
        }
        rows.add(new Row("softmax", "softmax", "", shapes[0], 0, null, 0, 0));
        return new ModelSummary(rows, input);
    }

    public List<Row> rows() {
        return rows;
    }

    public long totalParameters() {
        return rows.stream().mapToLong(Row::parameters).sum();
    }

    public long totalMultiplyAdds() {
        return rows.stream().mapToLong(Row::multiplyAdds).sum();
    }

    /** Layers with weights along the deepest path, as the paper counts them (22). */
    public int depth() {
        return rows.stream().mapToInt(Row::depth).sum();
    }

    public Row row(String name) {
        return rows.stream()
                .filter(r -> r.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no layer named " + name));
    }

    private static int depth(GoogLeNet.Layer layer) {
        if (layer.block() instanceof InceptionModule) {
            return 2;
        }
        return layer.type().equals("convolution") || layer.type().equals("linear") ? 1 : 0;
    }

    static long parameterCount(Block block) {
        long count = 0;
        for (Parameter parameter : block.getParameters().values()) {
            count += parameter.getArray().getShape().size();
        }
        return count;
    }

    private static long multiplyAdds(Block block) {
        long total = 0;
        if (block instanceof Convolution conv) {
            Shape in = conv.getInputShapes()[0];
            Shape out = conv.getOutputShapes(conv.getInputShapes())[0];
            Shape kernel = conv.getKernelShape();
            total += out.size() * (in.get(1) / conv.getGroups()) * kernel.size();
        } else if (block instanceof Linear linear) {
            Shape in = linear.getInputShapes()[0];
            Shape out = linear.getOutputShapes(linear.getInputShapes())[0];
            total += out.size() * in.get(in.dimension() - 1);
        }
        for (Block child : block.getChildren().values()) {
            total += multiplyAdds(child);
        }
        return total;
    }

    /** The table as fixed-width text, with a total line. */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        String format = "%-14s %-18s %-7s %-14s %5s %6s %7s %6s %7s %6s %6s %12s %14s%n";
        out.append(String.format(Locale.ROOT, "GoogLeNet, input %s%n", dims(input.slice(1))));
        out.append(
                String.format(
                        Locale.ROOT,
                        format,
                        "layer",
                        "type",
                        "patch",
                        "output",
                        "depth",
                        "#1x1",
                        "#3x3red",
                        "#3x3",
                        "#5x5red",
                        "#5x5",
                        "pool",
                        "params",
                        "mult-adds"));
        for (Row row : rows) {
            InceptionModule.Channels c = row.inception();
            out.append(
                    String.format(
                            Locale.ROOT,
                            format,
                            row.name(),
                            row.type(),
                            row.patch(),
                            dims(row.output().slice(1)),
                            row.depth() == 0 ? "" : row.depth(),
                            c == null ? "" : c.conv1x1(),
                            c == null ? "" : c.reduce3x3(),
                            c == null ? "" : c.conv3x3(),
                            c == null ? "" : c.reduce5x5(),
                            c == null ? "" : c.conv5x5(),
                            c == null ? "" : c.poolProjection(),
                            String.format(Locale.ROOT, "%,d", row.parameters()),
                            String.format(Locale.ROOT, "%,d", row.multiplyAdds())));
        }
        out.append(
                String.format(
                        Locale.ROOT,
                        "total: %d layers deep, %,d parameters, %,d multiply-adds per image%n",
                        depth(),
                        totalParameters(),
                        totalMultiplyAdds()));
        return out.toString();
    }

    /** HxWxC for a CHW shape, C for a flat one. */
    private static String dims(Shape chw) {
        if (chw.dimension() == 3) {
            return chw.get(1) + "x" + chw.get(2) + "x" + chw.get(0);
        }
        return String.valueOf(chw.get(0));
    }
}
