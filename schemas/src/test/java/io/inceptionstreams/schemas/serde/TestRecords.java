package io.inceptionstreams.schemas.serde;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.ImageReference;
import io.inceptionstreams.schemas.avro.Label;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.avro.ModelInfo;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Records of the project's contracts, with every kind of field set. */
final class TestRecords {
    static final Instant PRODUCED_AT = Instant.ofEpochMilli(1_700_000_000_000L);

    private TestRecords() {}

    /** The record of the golden bytes file. */
    static ImageEvent inlineImage() {
        return ImageEvent.newBuilder()
                .setId("img-1")
                .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setContentType("image/png")
                .setProducedAt(PRODUCED_AT)
                .setAttributes(Map.of("label", "cat"))
                .build();
    }

    static ImageEvent referencedImage() {
        return ImageEvent.newBuilder()
                .setId("img-2")
                .setImage(
                        ImageReference.newBuilder()
                                .setUri("file:///data/img-2.png")
                                .setSha256("ab".repeat(32))
                                .setSizeBytes(123_456L)
                                .build())
                .setContentType(null)
                .setProducedAt(PRODUCED_AT)
                .setAttributes(Map.of())
                .build();
    }

    static LabelEvent labels() {
        return LabelEvent.newBuilder()
                .setImageId("img-1")
                .setLabels(
                        List.of(
                                Label.newBuilder()
                                        .setLabel("tabby cat")
                                        .setClassIndex(281)
                                        .setConfidence(0.87f)
                                        .build(),
                                Label.newBuilder()
                                        .setLabel("tiger cat")
                                        .setClassIndex(282)
                                        .setConfidence(0.1f)
                                        .build()))
                .setModel(ModelInfo.newBuilder().setName("googlenet").setVersion("1").build())
                .setEventTime(PRODUCED_AT)
                .setClassifiedAt(PRODUCED_AT.plusMillis(42))
                .setBatchSize(8)
                .setQueueMs(1.5)
                .setInferenceMs(12.25)
                .build();
    }
}
