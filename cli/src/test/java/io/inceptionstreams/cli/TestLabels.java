package io.inceptionstreams.cli;

import io.inceptionstreams.schemas.avro.Label;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.avro.ModelInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Label events as the service writes them, for the tests of the tools that read them. */
public final class TestLabels {
    private TestLabels() {}

    /** {@code imageId} labelled {@code predicted}, its true label {@code truth} as an attribute. */
    public static LabelEvent label(String imageId, String truth, String predicted) {
        return LabelEvent.newBuilder()
                .setImageId(imageId)
                .setLabels(List.of(new Label(predicted, 1, 0.9f)))
                .setModel(new ModelInfo("googlenet", "test"))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setClassifiedAt(Instant.ofEpochMilli(1_700_000_000_100L))
                .setBatchSize(2)
                .setQueueMs(1.0)
                .setInferenceMs(2.0)
                .setAttributes(Map.of("label", truth))
                .build();
    }
}
