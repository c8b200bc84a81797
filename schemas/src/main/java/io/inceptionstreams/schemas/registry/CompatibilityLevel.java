package io.inceptionstreams.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Confluent's compatibility levels, checked with Avro's {@link SchemaCompatibility}.
 *
 * <p>BACKWARD: consumers using the new schema can read data written with the previous one (the new
 * schema is the reader). FORWARD: consumers still on the previous schema can read data written with
 * the new one. FULL: both. The {@code _TRANSITIVE} variants check against every earlier version of
 * the subject instead of the latest only.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /**
     * Why {@code candidate} may not follow {@code previous} (the subject's versions, oldest first)
     * at this level; empty when it may.
     */
    public List<String> incompatibilities(Schema candidate, List<Schema> previous) {
        if (previous.isEmpty()) {
            return List.of();
        }
        List<Schema> checked = transitive ? previous : List.of(previous.get(previous.size() - 1));
        List<String> problems = new ArrayList<>();
        for (Schema earlier : checked) {
            if (backward) {
                problems.addAll(
                        describe("new schema cannot read earlier data", candidate, earlier));
            }
            if (forward) {
                problems.addAll(
                        describe("earlier schema cannot read new data", earlier, candidate));
            }
        }
        return problems;
    }

    private static List<String> describe(String direction, Schema reader, Schema writer) {
        List<String> problems = new ArrayList<>();
        for (Incompatibility incompatibility :
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer)
                        .getResult()
                        .getIncompatibilities()) {
            problems.add(
                    direction
                            + ": "
                            + incompatibility.getType()
                            + " at "
                            + incompatibility.getLocation()
                            + " ("
                            + incompatibility.getMessage()
                            + ")");
        }
        return problems;
    }
}
