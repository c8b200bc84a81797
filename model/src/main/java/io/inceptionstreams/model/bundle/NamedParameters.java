package io.inceptionstreams.model.bundle;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A block's weights as a list of arrays named by parameter path (DJL NDList encoding). Bundles and
 * training checkpoints share it: the names, not the child order, tie a weight to its layer, so a
 * bundle can leave out the side classifiers and still load into the inference network.
 *
 * <p>Loading copies values into the block's existing arrays rather than replacing them, so an
 * optimizer or gradient collector attached to those arrays keeps working after a resume.
 */
public final class NamedParameters {

    private NamedParameters() {}

    /** Writes the parameters {@code include} accepts, converted to {@code storage}. */
    public static void write(
            Block block, OutputStream out, DataType storage, Predicate<String> include)
            throws IOException {
        try (NDManager scratch = NDManager.newBaseManager()) {
            NDList arrays = new NDList();
            for (Pair<String, Parameter> entry : block.getParameters()) {
                if (!include.test(entry.getKey())) {
                    continue;
                }
                NDArray copy = entry.getValue().getArray().toType(storage, true);
                copy.attach(scratch);
                copy.setName(entry.getKey());
                arrays.add(copy);
            }
            BufferedOutputStream buffered = new BufferedOutputStream(out);
            arrays.encode(buffered);
            buffered.flush();
        }
    }

    /**
     * Copies stored weights into an initialized block. Every block parameter must be present with
     * the same shape and nothing may be left over, or the file belongs to another network.
     */
    public static void read(Block block, InputStream in, String source)
            throws IOException, MalformedModelException {
        try (NDManager scratch = NDManager.newBaseManager()) {
            NDList stored = NDList.decode(scratch, new BufferedInputStream(in));
            Map<String, NDArray> byName = new HashMap<>();
            for (NDArray array : stored) {
                byName.put(array.getName(), array);
            }
            for (Pair<String, Parameter> entry : block.getParameters()) {
                NDArray value = byName.remove(entry.getKey());
                NDArray target = entry.getValue().getArray();
                if (value == null) {
                    throw new MalformedModelException(
                            source + " has no weights for " + entry.getKey());
                }
                if (!value.getShape().equals(target.getShape())) {
                    throw new MalformedModelException(
                            String.format(
                                    "%s: %s has shape %s, the network expects %s",
                                    source, entry.getKey(), value.getShape(), target.getShape()));
                }
                target.set(value.toType(DataType.FLOAT32, false).toByteBuffer());
            }
            if (!byName.isEmpty()) {
                throw new MalformedModelException(
                        source + " has weights the network does not: " + byName.keySet());
            }
        }
    }
}
