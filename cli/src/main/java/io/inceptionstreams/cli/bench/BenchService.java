package io.inceptionstreams.cli.bench;

import io.inceptionstreams.schemas.serde.AvroSerdeConfig;
import io.inceptionstreams.streams.config.ClassifierConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * How every bench run configures the service and its clients against the in-process broker and
 * registry: the same model, device, batch size and overrides, a fresh application id and state
 * directory per run.
 *
 * @param bootstrapServers the in-process broker
 * @param registryUrl the in-process schema registry
 * @param bundleLocation the model the service starts with
 * @param device cpu, auto or gpu:N
 * @param batchSize the service's max.batch.size
 * @param topK labels per image
 * @param overrides the user's extra configuration (ClassifierConfig keys, kafka.*, serde.*)
 * @param scratch where the state directories go
 */
record BenchService(
        String bootstrapServers,
        String registryUrl,
        String bundleLocation,
        String device,
        int batchSize,
        int topK,
        Map<String, String> overrides,
        Path scratch) {

    BenchService {
        overrides = Map.copyOf(overrides);
    }

    /** The serde settings of the bench's own producers and consumers. */
    Map<String, Object> serde() {
        Map<String, Object> serde = new HashMap<>();
        serde.put("schema.registry.url", registryUrl);
        serde.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, true);
        serde.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
        return serde;
    }

    /**
     * The service's configuration for the run {@code name}, reading from the start of {@code
     * imagesTopic}; {@code extra} (e.g. the models topic) goes before the user's overrides.
     */
    ClassifierConfig config(
            String name,
            String imagesTopic,
            String labelsTopic,
            String dlq,
            Map<String, String> extra)
            throws IOException {
        Map<String, String> map = new HashMap<>();
        map.put(ClassifierConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        map.put(ClassifierConfig.SCHEMA_REGISTRY_URL, registryUrl);
        map.put(ClassifierConfig.APPLICATION_ID, "bench-" + name + "-" + UUID.randomUUID());
        map.put(ClassifierConfig.IMAGES_TOPIC, imagesTopic);
        map.put(ClassifierConfig.LABELS_TOPIC, labelsTopic);
        map.put(ClassifierConfig.DLQ_TOPIC, dlq);
        map.put(ClassifierConfig.MODEL_BUNDLE, bundleLocation);
        map.put(ClassifierConfig.DEVICE, device);
        map.put(ClassifierConfig.TOP_K, Integer.toString(topK));
        map.put(ClassifierConfig.MAX_BATCH_SIZE, Integer.toString(batchSize));
        map.put(
                "kafka.state.dir",
                Files.createDirectories(scratch.resolve("state-" + name)).toString());
        map.put("kafka.replication.factor", "1");
        map.put("kafka.auto.offset.reset", "earliest");
        map.putAll(extra);
        map.putAll(overrides);
        return ClassifierConfig.of(map);
    }
}
