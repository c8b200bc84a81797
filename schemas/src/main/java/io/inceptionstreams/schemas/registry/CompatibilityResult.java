package io.inceptionstreams.schemas.registry;

import java.util.List;

/**
 * The verdict of a compatibility test ({@code POST /compatibility/subjects/{s}/versions/{v}}).
 *
 * @param compatible whether the schema may follow the tested version at the subject's level
 * @param messages why not, one entry per incompatibility Avro's {@code SchemaCompatibility} found
 *     (Confluent's {@code "messages"} of {@code ?verbose=true}); empty when compatible, and
 *     possibly empty from a registry that gives no reasons
 */
public record CompatibilityResult(boolean compatible, List<String> messages) {
    public CompatibilityResult {
        messages = List.copyOf(messages);
    }

    static CompatibilityResult of(List<String> problems) {
        return new CompatibilityResult(problems.isEmpty(), problems);
    }
}
