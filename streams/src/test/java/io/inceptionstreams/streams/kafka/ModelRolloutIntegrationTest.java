package io.inceptionstreams.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.model.TestNetworks;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.schemas.avro.DeploymentMode;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.avro.ModelDeployment;
import io.inceptionstreams.schemas.registry.MockSchemaRegistry;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.ClassifierService;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.http.StatusServer;
import io.inceptionstreams.streams.kafka.IntegrationFixtures.Topics;
import io.inceptionstreams.streams.rollout.ModelDeployments;
import io.inceptionstreams.streams.rollout.ModelStatus;
import io.inceptionstreams.streams.rollout.RefusalReason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling a model out to running instances through the models topic, against a real broker: the
 * switch under exactly-once while images flow, a rollback, and deployments that are refused.
 */
@Timeout(120)
class ModelRolloutIntegrationTest {
    private static final String SCOPE = ModelRolloutIntegrationTest.class.getSimpleName();
    private static final String REGISTRY = "mock://" + SCOPE;
    private static final int WAVE = 12;
    private static final Duration AWAIT = Duration.ofSeconds(60);

    @TempDir static Path shared;
    @TempDir Path dir;
    private static EmbeddedKafkaCluster kafka;
    private static ModelBundle v1;
    private static ModelBundle v2;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, List<String>> versions = new TreeMap<>();
    private final Map<Integer, List<String>> partitionVersions = new TreeMap<>();
    private int produced;

    @BeforeAll
    static void startCluster() throws Exception {
        kafka = EmbeddedKafkaCluster.start();
        v1 =
                TestNetworks.randomBundle(
                        shared.resolve("v1"),
                        "float32",
                        "1",
                        TestNetworks.LABELS,
                        TestNetworks.GRAY_48);
        v2 =
                TestNetworks.randomBundle(
                        shared.resolve("v2"),
                        "float32",
                        "2",
                        TestNetworks.LABELS,
                        TestNetworks.GRAY_48);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        kafka.close();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void shouldSwitchBothInstancesToADeployedVersionAndBackOnRollbackWithOneLabelPerImage()
            throws Exception {
        // Given two instances under exactly-once on version 1, deployed through the models topic
        Topics topics = Topics.create(kafka, "rollout");
        ModelDeployments models = models("rollout");
        models.write(ModelDeployments.of(v1.location(), null, DeploymentMode.ACTIVE));
        List<ClassifierService> instances = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            instances.add(start(topics, models, name));
        }
        try (KafkaConsumer<String, byte[]> labels = labelReader(topics)) {
            produceUntil(labels, topics, () -> versions.size() >= 3 * WAVE, "labels of v1");

            // When version 2 is deployed while images flow
            models.write(ModelDeployments.of(v2.location(), null, DeploymentMode.ACTIVE));
            produceUntil(labels, topics, () -> allAt(instances, "2"), "both instances on 2");
            int firstOnTwo = produced;
            produceUntil(labels, topics, () -> produced >= firstOnTwo + 3 * WAVE, "more images");

            // And rolled back
            int rollbackAt = produced;
            ModelDeployment previous =
                    ModelDeployments.previousActive(models.history()).orElseThrow();
            assertThat(previous.getModelVersion().toString()).isEqualTo("1");
            models.write(ModelDeployments.again(previous));
            produceUntil(labels, topics, () -> allAt(instances, "1"), "both instances on 1");
            int firstOnOneAgain = produced;
            produceUntil(
                    labels, topics, () -> produced >= firstOnOneAgain + 3 * WAVE, "more images");
            awaitLabels(labels, () -> versions.size() == produced, "every image labelled");
            poll(labels, Duration.ofSeconds(2));

            // Then every image has exactly one label, of version 1 or 2 ...
            assertThat(versions).hasSize(produced);
            versions.forEach(
                    (id, seen) -> {
                        assertThat(seen).as(id).hasSize(1);
                        assertThat(seen.get(0)).as(id).isIn("1", "2");
                    });
            // ... none produced once both ran 2 (and before the rollback) is labelled by 1,
            // none produced once both ran 1 again by 2 ...
            for (int n = firstOnTwo; n < rollbackAt; n++) {
                assertThat(versions.get(id(n))).as(id(n)).containsExactly("2");
            }
            for (int n = firstOnOneAgain; n < produced; n++) {
                assertThat(versions.get(id(n))).as(id(n)).containsExactly("1");
            }
            // ... and per partition the versions go 1, 2, 1 and never back in between
            partitionVersions.forEach(
                    (partition, seen) ->
                            assertThat(List.of("1", "2", "1"))
                                    .as("partition %d: %s", partition, collapse(seen))
                                    .startsWith(collapse(seen).toArray(String[]::new)));
            assertThat(partitionVersions.values())
                    .anySatisfy(seen -> assertThat(collapse(seen)).contains("2"));
        }
    }

    @Test
    void shouldRefuseBadBundlesAndKeepLabellingWithTheActiveModel() throws Exception {
        // Given one instance on version 1, its /model served
        Topics topics = Topics.create(kafka, "refusal");
        ModelDeployments models = models("refusal");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ClassifierService instance = start(topics, models, "a", meters);
        StatusServer http =
                StatusServer.start(
                        0, instance::health, () -> "", () -> instance.modelStatus().toJson());
        resources.add(http);

        // When a bundle with a wrong sha256, truncated parameters, and too few classes are
        // deployed in turn
        ModelDeployment wrongSha = ModelDeployments.of(v2.location(), null, DeploymentMode.ACTIVE);
        wrongSha.setBundleSha256("0".repeat(64));
        ModelBundle truncated = truncatedCopy(v2, dir.resolve("truncated"));
        ModelBundle oneClass =
                TestNetworks.randomBundle(
                        dir.resolve("one-class"),
                        "float32",
                        "4",
                        List.of("cat"),
                        TestNetworks.GRAY_48);
        try (KafkaConsumer<String, byte[]> labels = labelReader(topics)) {
            for (Object[] bad :
                    new Object[][] {
                        {wrongSha, RefusalReason.SHA256_MISMATCH},
                        {
                            ModelDeployments.of(truncated.location(), "3", DeploymentMode.ACTIVE),
                            RefusalReason.CORRUPT
                        },
                        {
                            ModelDeployments.of(oneClass.location(), null, DeploymentMode.ACTIVE),
                            RefusalReason.CLASS_COUNT
                        }
                    }) {
                models.write((ModelDeployment) bad[0]);
                RefusalReason reason = (RefusalReason) bad[1];
                produceUntil(
                        labels,
                        topics,
                        () -> {
                            ModelStatus.Refusal last = instance.modelStatus().lastRefusal();
                            return last != null && last.reason() == reason;
                        },
                        "refusal " + reason);
            }
            int after = produced;
            produceUntil(labels, topics, () -> produced >= after + 2 * WAVE, "more images");
            awaitLabels(labels, () -> versions.size() == produced, "every image labelled");
        }

        // Then version 1 labelled every image, and the refusals show in status and metric
        assertThat(versions.values()).allSatisfy(seen -> assertThat(seen).containsExactly("1"));
        assertThat(instance.modelStatus().active().version()).isEqualTo("1");
        assertThat(instance.health().detail()).contains("last refused 4 (CLASS_COUNT");
        for (RefusalReason reason :
                List.of(
                        RefusalReason.SHA256_MISMATCH,
                        RefusalReason.CORRUPT,
                        RefusalReason.CLASS_COUNT)) {
            assertThat(meters.counter("inception.model.refusals", "reason", reason.name()).count())
                    .as(reason.name())
                    .isEqualTo(1.0);
        }
        String body =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://localhost:"
                                                                + http.port()
                                                                + "/model"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        assertThat(body)
                .contains("\"active\":{\"name\":\"test-net\",\"version\":\"1\"")
                .contains("\"lastRefusal\":{\"name\":\"test-net\",\"version\":\"4\"")
                .contains("\"reason\":\"CLASS_COUNT\"");
    }

    @Test
    void shouldFollowAModelsTopicCreatedAfterTheInstanceStarted() throws Exception {
        // Given an instance whose models topic does not exist yet
        Topics topics = Topics.create(kafka, "late");
        ModelDeployments models =
                new ModelDeployments(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        Map.of("schema.registry.url", REGISTRY),
                        "late-models-" + UUID.randomUUID());
        ClassifierService instance = start(topics, models, "a");
        assertThat(instance.health().healthy()).isTrue();

        // When the topic is created and version 2 deployed
        models.createIfMissing();
        models.write(ModelDeployments.of(v2.location(), null, DeploymentMode.ACTIVE));

        // Then the instance switches to it, and images submitted afterwards are labelled by 2
        try (KafkaConsumer<String, byte[]> labels = labelReader(topics)) {
            produceUntil(
                    labels,
                    topics,
                    () -> instance.modelStatus().active().version().equals("2"),
                    "instance on 2");
            int firstOnTwo = produced;
            produceUntil(labels, topics, () -> produced >= firstOnTwo + WAVE, "more images");
            awaitLabels(labels, () -> versions.size() == produced, "every image labelled");
            for (int n = firstOnTwo; n < produced; n++) {
                assertThat(versions.get(id(n))).as(id(n)).containsExactly("2");
            }
        }
    }

    @Test
    void shouldLabelEveryImageWithTheShadowModelTooAndExportTheirAgreement() throws Exception {
        // Given one instance on version 1, and a shadow labels topic
        Topics topics = Topics.create(kafka, "shadow");
        String shadowTopic = topics.labels() + ".shadow";
        kafka.createTopics(3, shadowTopic);
        ModelDeployments models = models("shadow");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ClassifierService instance =
                start(
                        topics,
                        models,
                        "a",
                        meters,
                        Map.of(ClassifierConfig.SHADOW_LABELS_TOPIC, shadowTopic));
        Map<String, List<String>> shadowVersions = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> labels = labelReader(topics.labels());
                KafkaConsumer<String, byte[]> shadowLabels = labelReader(shadowTopic)) {
            // When version 2 is deployed as the shadow while images flow
            models.write(ModelDeployments.of(v2.location(), null, DeploymentMode.SHADOW));
            produceUntil(
                    labels, topics, () -> instance.modelStatus().shadow() != null, "shadow on");
            int firstShadowed = produced;
            produceUntil(labels, topics, () -> produced >= firstShadowed + 3 * WAVE, "more images");
            awaitLabels(labels, () -> versions.size() == produced, "every image labelled");
            long deadline = System.nanoTime() + AWAIT.toNanos();
            while (shadowVersions.size() < produced - firstShadowed) {
                assertThat(System.nanoTime()).as("shadow labels").isLessThan(deadline);
                read(shadowLabels, shadowVersions, null, Duration.ofMillis(200));
            }
            read(shadowLabels, shadowVersions, null, Duration.ofSeconds(1));

            // Then every image has one label of version 1, each shadowed one a shadow label of 2
            assertThat(versions).hasSize(produced);
            assertThat(versions.values()).allSatisfy(seen -> assertThat(seen).containsExactly("1"));
            for (int n = firstShadowed; n < produced; n++) {
                assertThat(shadowVersions.get(id(n))).as(id(n)).containsExactly("2");
            }
            assertThat(shadowVersions.values())
                    .allSatisfy(seen -> assertThat(seen).containsExactly("2"));
            // ... and the agreement of the two and the shadow's latency are exported
            double agreement = meters.get("inception.shadow.agreement").gauge().value();
            assertThat(agreement).isBetween(0.0, 1.0);
            assertThat(meters.get("inception.shadow.inference").timer().count()).isPositive();
            assertThat(instance.modelStatus().toJson())
                    .contains("\"shadow\":{\"name\":\"test-net\",\"version\":\"2\"");

            // When the shadow is stopped, Then the instance runs none
            models.stopShadow();
            produceUntil(
                    labels, topics, () -> instance.modelStatus().shadow() == null, "shadow off");
        }
    }

    // --- harness

    private ModelDeployments models(String name) throws Exception {
        Map<String, Object> serde = new HashMap<>();
        serde.put("schema.registry.url", REGISTRY);
        ModelDeployments models =
                new ModelDeployments(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        serde,
                        name + "-models-" + UUID.randomUUID());
        models.createIfMissing();
        return models;
    }

    private ClassifierService start(Topics topics, ModelDeployments models, String name)
            throws Exception {
        return start(topics, models, name, new SimpleMeterRegistry());
    }

    private ClassifierService start(
            Topics topics, ModelDeployments models, String name, SimpleMeterRegistry meters)
            throws Exception {
        return start(topics, models, name, meters, Map.of());
    }

    private ClassifierService start(
            Topics topics,
            ModelDeployments models,
            String name,
            SimpleMeterRegistry meters,
            Map<String, String> overrides)
            throws Exception {
        Map<String, String> settings =
                IntegrationFixtures.settings(
                        kafka,
                        REGISTRY,
                        v1,
                        topics,
                        "exactly_once_v2",
                        dir.resolve("state-" + name));
        settings.put(ClassifierConfig.MODELS_TOPIC, models.topic());
        settings.putAll(overrides);
        ClassifierService service = ClassifierService.start(ClassifierConfig.of(settings), meters);
        resources.add(service);
        assertThat(service.awaitRunning(AWAIT)).isTrue();
        return service;
    }

    private static boolean allAt(List<ClassifierService> instances, String version) {
        return instances.stream()
                .allMatch(instance -> instance.modelStatus().active().version().equals(version));
    }

    private static String id(int n) {
        return "img-" + n;
    }

    /** Produces a wave of images at a time, reading labels in between, until {@code condition}. */
    private void produceUntil(
            KafkaConsumer<String, byte[]> labels,
            Topics topics,
            BooleanSupplier condition,
            String what) {
        SpecificAvroSerde<ImageEvent> serde = IntegrationFixtures.imageSerde(REGISTRY);
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            List<ProducerRecord<byte[], byte[]>> wave = new ArrayList<>();
            for (int i = 0; i < WAVE; i++, produced++) {
                wave.add(
                        new ProducerRecord<>(
                                topics.images(),
                                id(produced).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                serde.serializer()
                                        .serialize(
                                                topics.images(),
                                                io.inceptionstreams.streams.TestImages.sample(
                                                        id(produced), produced))));
            }
            IntegrationFixtures.produce(kafka, topics.images(), wave);
            poll(labels, Duration.ofMillis(100));
        }
    }

    private void awaitLabels(
            KafkaConsumer<String, byte[]> labels, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime())
                    .as("%s: %d of %d", what, versions.size(), produced)
                    .isLessThan(deadline);
            poll(labels, Duration.ofMillis(200));
        }
    }

    private void poll(KafkaConsumer<String, byte[]> labels, Duration duration) {
        read(labels, versions, partitionVersions, duration);
    }

    /** Reads label events for {@code duration}: id -> versions, partition -> versions. */
    private static void read(
            KafkaConsumer<String, byte[]> labels,
            Map<String, List<String>> versions,
            Map<Integer, List<String>> partitionVersions,
            Duration duration) {
        SpecificAvroSerde<LabelEvent> serde = new SpecificAvroSerde<>();
        serde.configure(
                Map.of("schema.registry.url", REGISTRY, "specific.avro.reader", true), false);
        long until = System.nanoTime() + duration.toNanos();
        do {
            for (ConsumerRecord<String, byte[]> record : labels.poll(Duration.ofMillis(50))) {
                LabelEvent label = serde.deserializer().deserialize(record.topic(), record.value());
                String version = label.getModel().getVersion().toString();
                versions.computeIfAbsent(record.key(), key -> new ArrayList<>()).add(version);
                if (partitionVersions != null) {
                    partitionVersions
                            .computeIfAbsent(record.partition(), key -> new ArrayList<>())
                            .add(version);
                }
            }
        } while (System.nanoTime() < until);
    }

    private static KafkaConsumer<String, byte[]> labelReader(Topics topics) {
        return labelReader(topics.labels());
    }

    private static KafkaConsumer<String, byte[]> labelReader(String topic) {
        return IntegrationFixtures.committedReader(kafka, topic);
    }

    private static List<String> collapse(List<String> seen) {
        List<String> runs = new ArrayList<>();
        for (String version : seen) {
            if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(version)) {
                runs.add(version);
            }
        }
        return runs;
    }

    static ModelBundle truncatedCopy(ModelBundle bundle, Path to) throws Exception {
        Files.createDirectories(to);
        for (String name : ModelBundle.FILES) {
            Files.copy(Path.of(bundle.location()).resolve(name), to.resolve(name));
        }
        byte[] parameters = Files.readAllBytes(to.resolve("parameters.ndlist"));
        Files.write(
                to.resolve("parameters.ndlist"), Arrays.copyOf(parameters, parameters.length / 2));
        return ModelBundle.open(to.toString());
    }
}
