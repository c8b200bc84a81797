package io.inceptionstreams.cli.bench;

import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.classify.Prediction;
import io.inceptionstreams.model.classify.TensorBatch;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.model.preprocess.ImagePreprocessor;
import io.inceptionstreams.model.preprocess.ImageRejectedException;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.Label;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.avro.ModelInfo;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The design of the embedded-model examples people copy today, as the baseline of the benchmark:
 * the same source, serdes and sink as the service, but the model called once per record inside
 * {@code mapValues}, on the stream thread, with a batch of one. No batching, no durable buffer, no
 * dead letters (an image that cannot be decoded is skipped).
 *
 * <pre>
 * images -> mapValues(decode, resize, predict one) -> labels
 * </pre>
 */
final class NaiveTopology {

    private NaiveTopology() {}

    static Topology build(
            String imagesTopic,
            String labelsTopic,
            Map<String, Object> serdeConfig,
            ImageClassifier classifier) {
        SpecificAvroSerde<ImageEvent> imageSerde = new SpecificAvroSerde<>();
        imageSerde.configure(serdeConfig, false);
        SpecificAvroSerde<LabelEvent> labelSerde = new SpecificAvroSerde<>();
        labelSerde.configure(serdeConfig, false);
        ImagePreprocessor preprocessor =
                new ImagePreprocessor(classifier.inputSpec(), ImageLimits.defaults());
        ModelInfo model =
                new ModelInfo(
                        classifier.bundle().descriptor().name(),
                        classifier.bundle().descriptor().version());

        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(imagesTopic, Consumed.with(Serdes.String(), imageSerde))
                .mapValues(event -> classify(event, preprocessor, classifier, model))
                .filter((id, label) -> label != null)
                .to(labelsTopic, Produced.with(Serdes.String(), labelSerde));
        return builder.build();
    }

    private static LabelEvent classify(
            ImageEvent event,
            ImagePreprocessor preprocessor,
            ImageClassifier classifier,
            ModelInfo model) {
        ByteBuffer image = (ByteBuffer) event.getImage();
        byte[] bytes = new byte[image.remaining()];
        image.duplicate().get(bytes);
        float[] tensor;
        try {
            tensor =
                    preprocessor.preprocess(
                            bytes,
                            event.getContentType() == null
                                    ? null
                                    : event.getContentType().toString());
        } catch (ImageRejectedException e) {
            return null;
        }
        long start = System.nanoTime();
        List<Prediction> predictions = classifier.classify(new TensorBatch(tensor, 1)).get(0);
        double inferenceMs = (System.nanoTime() - start) / 1e6;
        return LabelEvent.newBuilder()
                .setImageId(event.getId())
                .setLabels(
                        predictions.stream()
                                .map(p -> new Label(p.label(), p.classIndex(), p.confidence()))
                                .toList())
                .setModel(model)
                .setEventTime(event.getProducedAt())
                .setClassifiedAt(Instant.now())
                .setBatchSize(1)
                .setQueueMs(0)
                .setInferenceMs(inferenceMs)
                .build();
    }
}
