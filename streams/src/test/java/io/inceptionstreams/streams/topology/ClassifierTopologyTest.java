package io.inceptionstreams.streams.topology;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import io.inceptionstreams.model.TestNetworks;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.classify.Prediction;
import io.inceptionstreams.model.classify.TensorBatch;
import io.inceptionstreams.model.fashionmnist.SampleImages;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.model.preprocess.ImagePreprocessor;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.registry.MockSchemaRegistry;
import io.inceptionstreams.schemas.serde.AvroSerdeConfig;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.engine.AsyncImageClassifier;
import io.inceptionstreams.streams.engine.ClassificationOutcome;
import io.inceptionstreams.streams.engine.ImageReferenceResolver;
import io.inceptionstreams.streams.engine.InferenceEngine;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierTopologyTest {
    private static final String SCOPE = ClassifierTopologyTest.class.getSimpleName();
    private static final Duration AWAIT = Duration.ofSeconds(60);

    @TempDir static Path bundleDir;
    @TempDir Path dir;
    private static ModelBundle bundle;

    private final List<AutoCloseable> resources = new ArrayList<>();
    // One registry and one set of meters for the engine and the topology, as in the service.
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ClassifierMetrics metrics = new ClassifierMetrics(meters);
    private TopologyTestDriver driver;
    private Map<String, Object> imageSerdeConfig;
    private TestInputTopic<String, ImageEvent> images;
    private TestInputTopic<String, byte[]> rawImages;
    private TestOutputTopic<String, LabelEvent> labels;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private SpecificAvroSerde<ImageEvent> imageSerde;

    @BeforeAll
    static void writeBundle() throws Exception {
        bundle = TestNetworks.randomBundle(bundleDir, "float32");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (driver != null) {
            driver.close();
        }
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void shouldCloseBatchWhenItReachesMaxBatchSize() throws Exception {
        // Given an engine whose batches close at 4 images and would otherwise wait a minute
        start(Map.of(), engine(4, Duration.ofMinutes(1), List.of()));

        // When 8 images arrive
        for (int i = 0; i < 8; i++) {
            images.pipeInput("img-" + i, TestImages.sample("img-" + i, i));
        }

        // Then every image is labelled from a batch of exactly 4
        List<LabelEvent> out = awaitLabels(8);
        assertThat(out).extracting(LabelEvent::getBatchSize).containsOnly(4);
    }

    @Test
    void shouldClassifyRecordsWhoseSchemaIdIsInAHeaderBesideRecordsWithThePrefix()
            throws Exception {
        // Given producers of both framings on one topic: Confluent's 5-byte prefix, and the
        // schema GUID in the __value_schema_id header (Confluent's HeaderSchemaIdSerializer)
        start(Map.of(), engine(4, Duration.ofMillis(50), List.of()));
        SpecificAvroSerde<ImageEvent> headerSerde = new SpecificAvroSerde<>();
        Map<String, Object> headerFraming = new HashMap<>(imageSerdeConfig);
        headerFraming.put(
                AvroSerdeConfig.VALUE_SCHEMA_ID_SERIALIZER,
                "io.confluent.kafka.serializers.schema.id.HeaderSchemaIdSerializer");
        headerSerde.configure(headerFraming, false);
        TestInputTopic<String, ImageEvent> headerImages =
                driver.createInputTopic("images", new StringSerializer(), headerSerde.serializer());

        // When they alternate
        for (int i = 0; i < 6; i++) {
            (i % 2 == 0 ? images : headerImages)
                    .pipeInput("img-" + i, TestImages.sample("img-" + i, i));
        }

        // Then every image is labelled and nothing is dead-lettered
        assertThat(awaitLabels(6))
                .extracting(label -> label.getImageId().toString())
                .containsExactly("img-0", "img-1", "img-2", "img-3", "img-4", "img-5");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldCloseBatchWhenOldestImageHasWaitedMaxBatchDelay() throws Exception {
        // Given an engine whose batches hold up to 16 images or close after 3 s (counted from the
        // first image's submission, so it must cover the others' decoding)
        start(Map.of(), engine(16, Duration.ofSeconds(3), List.of()));

        // When only 3 images arrive
        for (int i = 0; i < 3; i++) {
            images.pipeInput("img-" + i, TestImages.sample("img-" + i, i));
        }

        // Then they are labelled anyway, from one batch of 3 closed by the delay
        List<LabelEvent> out = awaitLabels(3);
        assertThat(out).extracting(LabelEvent::getBatchSize).containsOnly(3);
    }

    @Test
    void shouldForwardInInputOrderEvenWhenLaterImagesFinishFirst() {
        // Given an engine whose images finish when the test says
        ControlledClassifier engine = new ControlledClassifier();
        start(Map.of(), engine);
        for (int i = 0; i < 5; i++) {
            images.pipeInput("img-" + i, TestImages.sample("img-" + i, i), 1000L + i);
        }

        // When the last four finish first, newest first
        for (int i = 4; i >= 1; i--) {
            engine.classify(i, "label-" + i);
            driver.advanceWallClockTime(Duration.ofMillis(50));
        }

        // Then nothing is forwarded while the first is still running...
        assertThat(labels.isEmpty()).isTrue();

        // ...and once it finishes, all five come out in input order with input timestamps
        engine.classify(0, "label-0");
        driver.advanceWallClockTime(Duration.ofMillis(50));
        List<TestRecord<String, LabelEvent>> out = labels.readRecordsToList();
        assertThat(out)
                .extracting(TestRecord::key)
                .containsExactly("img-0", "img-1", "img-2", "img-3", "img-4");
        assertThat(out)
                .extracting(TestRecord::timestamp)
                .containsExactly(1000L, 1001L, 1002L, 1003L, 1004L);
        assertThat(out.get(3).value().getLabels().get(0).getLabel()).hasToString("label-3");
    }

    @Test
    void shouldKeepImagesBeyondTheInFlightLimitPendingUntilCapacityFrees() {
        // Given a task allowed 2 images in flight
        ControlledClassifier engine = new ControlledClassifier();
        start(
                Map.of(
                        ClassifierConfig.MAX_IN_FLIGHT_PER_TASK,
                        "2",
                        ClassifierConfig.PROCESSING_GUARANTEE,
                        "at_least_once"),
                engine);

        // When 5 images arrive
        for (int i = 0; i < 5; i++) {
            images.pipeInput("img-" + i, TestImages.sample("img-" + i, i));
        }

        // Then only 2 reach the engine, the rest wait in the pending store
        assertThat(engine.submitted()).hasSize(2);
        assertThat(pendingStoreSize()).isEqualTo(5);

        // When images finish, the waiting ones follow, and in the end all are labelled in order
        for (int i = 0; i < 5; i++) {
            engine.classify(i, "label");
            driver.advanceWallClockTime(Duration.ofMillis(50));
        }
        assertThat(labels.readKeyValuesToList())
                .extracting(kv -> kv.key)
                .containsExactly("img-0", "img-1", "img-2", "img-3", "img-4");

        // And once a producer flush has acknowledged the labels, the store is emptied
        assertThat(pendingStoreSize()).isEqualTo(5);
        ProducerFlushes.recordCompleted();
        driver.advanceWallClockTime(Duration.ofMillis(50));
        assertThat(pendingStoreSize()).isZero();
    }

    @Test
    void shouldLabelWithTheTopKAndConfidencesOfTheClassifierCalledDirectly() throws Exception {
        // Given the engine with top-3 and the same classifier opened on its own
        start(Map.of(), engine(4, Duration.ofMillis(50), List.of()));
        List<SampleImages.Sample> samples = TestImages.samples().subList(0, 8);
        ImagePreprocessor preprocessor =
                new ImagePreprocessor(bundle.inputSpec(), ImageLimits.defaults());
        List<List<Prediction>> expected = new ArrayList<>();
        try (ImageClassifier direct = ImageClassifier.open(bundle, "cpu", 3)) {
            for (SampleImages.Sample sample : samples) {
                float[] tensor = preprocessor.preprocess(sample.bytes(), "image/png");
                expected.add(direct.classify(new TensorBatch(tensor, 1)).get(0));
            }
        }

        // When the samples go through the topology
        for (int i = 0; i < samples.size(); i++) {
            images.pipeInput(
                    "img-" + i, TestImages.inline("img-" + i, samples.get(i).bytes(), "image/png"));
        }

        // Then each label lists the same classes, in the same order, with the same confidences
        List<LabelEvent> out = awaitLabels(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            LabelEvent label = out.get(i);
            assertThat(label.getImageId()).hasToString("img-" + i);
            assertThat(label.getModel().getName()).hasToString("test-net");
            assertThat(label.getLabels()).hasSize(3);
            for (int k = 0; k < 3; k++) {
                Prediction want = expected.get(i).get(k);
                assertThat(label.getLabels().get(k).getClassIndex()).isEqualTo(want.classIndex());
                assertThat(label.getLabels().get(k).getLabel()).hasToString(want.label());
                assertThat(label.getLabels().get(k).getConfidence())
                        .isCloseTo(want.confidence(), within(1e-4f));
            }
        }
    }

    @Test
    void shouldDeadLetterOutputsOverMaxRequestSizeWithoutTheirValueAndKeepGoing() throws Exception {
        // Given a producer limit of 8 KiB
        start(
                Map.of(ClassifierConfig.KAFKA_PREFIX + "max.request.size", "8192"),
                engine(4, Duration.ofMillis(20), List.of()));
        byte[] notAnImage = new byte[6_800];
        java.util.Arrays.fill(notAnImage, (byte) 'x');

        // When an image that would be stored fine but whose dead letter (value plus stack
        // trace) would not fit arrives, then one too large even to be stored, then a good one
        images.pipeInput("fits-alone", TestImages.inline("fits-alone", notAnImage, null));
        images.pipeInput("too-big", TestImages.inline("too-big", new byte[9_000], "image/png"));
        images.pipeInput("good", TestImages.sample("good", 0));

        // Then the good image is labelled and both others are OUTPUT_TOO_LARGE dead letters
        // without a value, naming where the original is
        assertThat(awaitLabels(1))
                .extracting(label -> label.getImageId().toString())
                .containsExactly("good");
        awaitUntil(() -> deadLetters.getQueueSize() >= 2);
        List<TestRecord<byte[], byte[]>> dlq = deadLetters.readRecordsToList();
        assertThat(dlq)
                .extracting(record -> new String(record.key(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("fits-alone", "too-big");
        assertThat(dlq).allSatisfy(record -> assertThat(record.value()).isNull());
        assertThat(dlq)
                .extracting(record -> header(record.headers(), DeadLetters.REASON_HEADER))
                .containsOnly("OUTPUT_TOO_LARGE");
        assertThat(dlq)
                .extracting(record -> header(record.headers(), DeadLetters.MESSAGE_HEADER))
                .anySatisfy(message -> assertThat(message).contains("the pending-store entry"))
                .anySatisfy(message -> assertThat(message).contains("the dead letter"));
    }

    @Test
    void shouldDeadLetterBadRecordsWithOriginalBytesAndErrorHeadersAndKeepGoing() throws Exception {
        // Given limits of 100x100 pixels and file references allowed only under one directory
        Path allowed = Files.createDirectories(dir.resolve("allowed"));
        Path outside = Files.write(dir.resolve("outside.png"), TestImages.samples().get(0).bytes());
        start(
                Map.of(ClassifierConfig.IMAGE_MAX_PIXELS, "10000"),
                engine(4, Duration.ofMillis(20), List.of(allowed)));
        Map<String, byte[]> values = new HashMap<>();
        values.put("corrupt", serialize(TestImages.corrupt("corrupt")));
        values.put("text", serialize(TestImages.notAnImage("text")));
        values.put("huge", serialize(TestImages.inline("huge", TestImages.png(200), "image/png")));
        values.put("escape", serialize(TestImages.reference("escape", outside.toUri().toString())));
        values.put("magic", TestImages.wrongMagicByte());
        values.put("schema", TestImages.unknownSchemaId());
        List<String> order = List.of("corrupt", "text", "magic", "huge", "schema", "escape");

        // When they arrive, each with a header, followed by a good image
        for (String key : order) {
            rawImages.pipeInput(
                    new TestRecord<>(
                            key,
                            values.get(key),
                            new RecordHeaders().add("trace", key.getBytes(StandardCharsets.UTF_8)),
                            Instant.ofEpochMilli(5000)));
        }
        images.pipeInput("good", TestImages.sample("good", 0));

        // Then the good image is labelled
        assertThat(awaitLabels(1))
                .extracting(label -> label.getImageId().toString())
                .containsExactly("good");

        // And every bad one is a dead letter with its original key, value and headers
        awaitUntil(() -> deadLetters.getQueueSize() >= order.size());
        Map<String, TestRecord<byte[], byte[]>> dlq = new HashMap<>();
        for (TestRecord<byte[], byte[]> record : deadLetters.readRecordsToList()) {
            dlq.put(new String(record.key(), StandardCharsets.UTF_8), record);
        }
        assertThat(dlq).containsOnlyKeys(order);
        for (String key : order) {
            TestRecord<byte[], byte[]> record = dlq.get(key);
            assertThat(record.value()).as(key).isEqualTo(values.get(key));
            assertThat(record.timestamp()).as(key).isEqualTo(5000L);
            Headers headers = record.headers();
            assertThat(header(headers, "trace")).as(key).isEqualTo(key);
            assertThat(header(headers, "__streams.errors.exception")).as(key).isNotBlank();
            assertThat(header(headers, "__streams.errors.message")).as(key).isNotBlank();
            assertThat(header(headers, "__streams.errors.stacktrace")).as(key).isNotBlank();
            assertThat(header(headers, "__streams.errors.topic")).as(key).isEqualTo("images");
            assertThat(header(headers, "__streams.errors.partition")).as(key).isEqualTo("0");
            assertThat(header(headers, "__streams.errors.offset"))
                    .as(key)
                    .isEqualTo(String.valueOf(order.indexOf(key)));
        }
        // The processor's dead letters also name the image and the reason
        assertThat(header(dlq.get("corrupt").headers(), DeadLetters.REASON_HEADER))
                .isEqualTo("CORRUPT");
        assertThat(header(dlq.get("text").headers(), DeadLetters.REASON_HEADER))
                .isEqualTo("UNSUPPORTED_TYPE");
        assertThat(header(dlq.get("huge").headers(), DeadLetters.REASON_HEADER))
                .isEqualTo("TOO_MANY_PIXELS");
        assertThat(header(dlq.get("escape").headers(), DeadLetters.REASON_HEADER))
                .isEqualTo("REFERENCE_NOT_ALLOWED");
        assertThat(header(dlq.get("escape").headers(), DeadLetters.IMAGE_ID_HEADER))
                .isEqualTo("escape");
        // Unreadable records carry the deserialization failure, and their key as the image id
        assertThat(header(dlq.get("magic").headers(), "__streams.errors.message"))
                .contains("magic byte");
        assertThat(header(dlq.get("magic").headers(), DeadLetters.REASON_HEADER))
                .isEqualTo("UNREADABLE_EVENT");
        assertThat(header(dlq.get("schema").headers(), DeadLetters.REASON_HEADER))
                .isEqualTo("UNREADABLE_EVENT");
        assertThat(header(dlq.get("schema").headers(), DeadLetters.IMAGE_ID_HEADER))
                .isEqualTo("schema");
    }

    @Test
    void shouldFailTheTaskAndKeepTheImagePendingWhenTheEngineFailsRatherThanDeadLetterIt() {
        // Given two images in flight
        ControlledClassifier engine = new ControlledClassifier();
        start(Map.of(), engine);
        images.pipeInput("img-0", TestImages.sample("img-0", 0));
        images.pipeInput("img-1", TestImages.sample("img-1", 1));

        // When the engine itself fails the first (a batch failure, not a bad image) and the
        // second finishes normally
        engine.fail(0, new IllegalStateException("device lost"));
        engine.classify(1, "label-1");

        // Then forwarding fails the task with the engine's error...
        assertThatThrownBy(() -> driver.advanceWallClockTime(Duration.ofMillis(50)))
                .isInstanceOf(StreamsException.class)
                .hasStackTraceContaining("inference failed for image img-0")
                .hasRootCauseMessage("device lost");

        // ...nothing is dead-lettered (not even a record without key and value, as Kafka's
        // default handler would write) or labelled (not even the finished image behind it), and
        // both images are still in the pending store for the task's next incarnation
        driver.advanceWallClockTime(Duration.ofMillis(1));
        assertThat(deadLetters.readKeyValuesToList())
                .extracting(record -> record.key == null ? null : new String(record.key, UTF_8))
                .isEmpty();
        assertThat(labels.isEmpty()).isTrue();
        assertThat(pendingStoreSize()).isEqualTo(2);
        assertThat(meters.find("inception.images.rejected").counters()).isEmpty();
    }

    @Test
    void shouldNotDeadLetterTheIncomingImageWhenAnEarlierImageFailedInTheEngine() {
        // Given an image in flight whose batch failed in the engine (not a bad image)
        ControlledClassifier engine = new ControlledClassifier();
        start(Map.of(), engine);
        images.pipeInput("img-0", TestImages.sample("img-0", 0));
        engine.fail(0, new IllegalStateException("device lost"));

        // When the next image arrives before the punctuator has run, and then it runs
        Throwable failure =
                catchThrowable(
                        () -> {
                            images.pipeInput("img-1", TestImages.sample("img-1", 1));
                            driver.advanceWallClockTime(Duration.ofMillis(50));
                        });

        // Then the task fails with the engine's error...
        assertThat(failure)
                .isInstanceOf(StreamsException.class)
                .hasStackTraceContaining("inference failed for image img-0")
                .hasRootCauseMessage("device lost");

        // ...and neither image is dead-lettered: the incoming one is not to blame (Kafka's
        // default processing-exception handler would dead-letter the record being processed),
        // and both are still pending, to be classified by the task's next incarnation
        driver.advanceWallClockTime(Duration.ofMillis(1));
        for (TestRecord<byte[], byte[]> r : deadLetters.readRecordsToList()) {
            System.err.println(
                    "DLQDEBUG key="
                            + r.key()
                            + " value="
                            + (r.value() == null ? null : r.value().length)
                            + " headers="
                            + r.headers()
                            + " ts="
                            + r.timestamp());
        }
        assertThat(deadLetters.readKeyValuesToList())
                .extracting(record -> new String(record.key, StandardCharsets.UTF_8))
                .isEmpty();
        assertThat(labels.isEmpty()).isTrue();
        assertThat(pendingStoreSize()).isEqualTo(2);
    }

    @Test
    void shouldCountImagesInOutAndRejectedByReasonAndRecordBatchSizes() throws Exception {
        // Given the real engine, batches of at most 4, images of at most 100x100 pixels
        start(Map.of(), engine(4, Duration.ofMillis(20), List.of()));

        // When 6 good images, 2 corrupt ones, 1 non-image, 1 too large and 1 unreadable record
        // arrive
        for (int i = 0; i < 6; i++) {
            images.pipeInput("img-" + i, TestImages.sample("img-" + i, i));
        }
        images.pipeInput("corrupt-0", TestImages.corrupt("corrupt-0"));
        images.pipeInput("corrupt-1", TestImages.corrupt("corrupt-1"));
        images.pipeInput("text", TestImages.notAnImage("text"));
        images.pipeInput("huge", TestImages.inline("huge", TestImages.png(200), "image/png"));
        rawImages.pipeInput("magic", TestImages.wrongMagicByte());
        awaitLabels(6);
        awaitUntil(() -> deadLetters.getQueueSize() >= 5);

        // Then the processor counted the 10 readable images in and the 6 labels out
        assertThat(meters.get("inception.images.in").counter().count()).isEqualTo(10.0);
        assertThat(meters.get("inception.images.out").counter().count()).isEqualTo(6.0);

        // And its rejections by reason
        assertThat(rejected("CORRUPT")).isEqualTo(2.0);
        assertThat(rejected("UNSUPPORTED_TYPE")).isEqualTo(1.0);
        assertThat(rejected("TOO_MANY_PIXELS")).isEqualTo(1.0);
        assertThat(rejected("UNREADABLE_EVENT")).isEqualTo(1.0);
        assertThat(meters.find("inception.images.rejected").counters()).hasSize(4);

        // And the batch sizes of the 6 classified images, in at least 2 batches of at most 4
        DistributionSummary batches = meters.get("inception.batch.size").summary();
        assertThat(batches.totalAmount()).isEqualTo(6.0);
        assertThat(batches.count()).isBetween(2L, 6L);
        assertThat(batches.max()).isLessThanOrEqualTo(4.0);
        assertThat(meters.get("inception.inference").timer().count()).isEqualTo(batches.count());
        assertThat(meters.get("inception.queue.wait").timer().count()).isEqualTo(6L);
        assertThat(meters.get("inception.end.to.end").timer().count()).isEqualTo(6L);

        // And nothing is in flight any more
        assertThat(meters.get("inception.images.in.flight").gauge().value()).isZero();
    }

    @Test
    void shouldGaugeImagesInFlightWhileTheEngineWorksAndReturnItToZero() {
        // Given an engine whose images finish when the test says
        ControlledClassifier engine = new ControlledClassifier();
        start(Map.of(), engine);

        // When 3 images are submitted and none has finished
        for (int i = 0; i < 3; i++) {
            images.pipeInput("img-" + i, TestImages.sample("img-" + i, i));
        }

        // Then the gauge shows 3 in flight
        assertThat(meters.get("inception.images.in.flight").gauge().value()).isEqualTo(3.0);

        // When they finish and are forwarded, it is back to 0
        for (int i = 0; i < 3; i++) {
            engine.classify(i, "label");
        }
        driver.advanceWallClockTime(Duration.ofMillis(50));
        assertThat(labels.getQueueSize()).isEqualTo(3);
        assertThat(meters.get("inception.images.in.flight").gauge().value()).isZero();
    }

    // --- harness

    private InferenceEngine engine(int maxBatchSize, Duration maxDelay, List<Path> roots)
            throws Exception {
        InferenceEngine engine =
                new InferenceEngine(
                        ImageClassifier.open(bundle, "cpu", 3),
                        new ImageReferenceResolver(
                                roots,
                                false,
                                Duration.ofSeconds(1),
                                ImageLimits.defaults().maxEncodedBytes()),
                        new ImageLimits(ImageLimits.defaults().maxEncodedBytes(), 10_000),
                        new InferenceEngine.BatchPolicy(maxBatchSize, maxDelay),
                        2,
                        metrics);
        resources.add(engine);
        return engine;
    }

    private void start(Map<String, String> overrides, AsyncImageClassifier engine) {
        Map<String, String> settings = new HashMap<>();
        // The driver's clock runs faster than the wall clock while awaitUntil waits for the
        // engine, so the default image timeout would pass in seconds on a slow machine.
        settings.put(ClassifierConfig.IMAGE_TIMEOUT_MS, "3600000");
        settings.putAll(overrides);
        settings.put(ClassifierConfig.SCHEMA_REGISTRY_URL, "mock://" + SCOPE);
        settings.put(ClassifierConfig.APPLICATION_ID, "topology-test");
        ClassifierConfig config = ClassifierConfig.of(settings);
        Properties props = ClassifierTopology.streamsProperties(config);
        driver =
                new TopologyTestDriver(
                        ClassifierTopology.buildTopology(config, engine, metrics),
                        props,
                        Instant.ofEpochMilli(0));
        imageSerdeConfig = config.serdeConfig();
        imageSerde = new SpecificAvroSerde<>();
        imageSerde.configure(imageSerdeConfig, false);
        SpecificAvroSerde<LabelEvent> labelSerde = new SpecificAvroSerde<>();
        labelSerde.configure(config.serdeConfig(), false);
        images = driver.createInputTopic("images", new StringSerializer(), imageSerde.serializer());
        rawImages =
                driver.createInputTopic(
                        "images", new StringSerializer(), new ByteArraySerializer());
        labels =
                driver.createOutputTopic(
                        "labels", new StringDeserializer(), labelSerde.deserializer());
        deadLetters =
                driver.createOutputTopic(
                        "images.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private byte[] serialize(ImageEvent event) {
        return imageSerde.serializer().serialize("images", event);
    }

    private long pendingStoreSize() {
        return driver.getKeyValueStore(ClassifierTopology.PENDING_STORE).approximateNumEntries();
    }

    /** Advances the driver's wall clock, which runs the forwarding punctuator, until n labels. */
    private List<LabelEvent> awaitLabels(int n) {
        List<LabelEvent> out = new ArrayList<>();
        awaitUntil(
                () -> {
                    out.addAll(labels.readValuesToList());
                    return out.size() >= n;
                });
        assertThat(out).hasSize(n);
        return out;
    }

    private void awaitUntil(BooleanSupplier condition) {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime())
                    .as("condition not met within %s", AWAIT)
                    .isLessThan(deadline);
            driver.advanceWallClockTime(Duration.ofMillis(10));
            LockSupport.parkNanos(2_000_000);
        }
    }

    private double rejected(String reason) {
        return meters.get("inception.images.rejected").tag("reason", reason).counter().count();
    }

    private static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null
                ? null
                : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** An engine whose images finish when the test says, with one label each. */
    private static final class ControlledClassifier implements AsyncImageClassifier {
        private final List<CompletableFuture<ClassificationOutcome>> submitted = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<ClassificationOutcome> submit(ImageEvent event) {
            CompletableFuture<ClassificationOutcome> future = new CompletableFuture<>();
            submitted.add(future);
            return future;
        }

        synchronized List<CompletableFuture<ClassificationOutcome>> submitted() {
            return List.copyOf(submitted);
        }

        synchronized void classify(int index, String label) {
            submitted
                    .get(index)
                    .complete(
                            new ClassificationOutcome.Classified(
                                    List.of(new Prediction(label, 0, 0.9f)),
                                    1,
                                    0,
                                    0,
                                    "controlled",
                                    "1"));
        }

        synchronized void fail(int index, RuntimeException failure) {
            submitted.get(index).completeExceptionally(failure);
        }

        @Override
        public String modelName() {
            return "controlled";
        }

        @Override
        public String modelVersion() {
            return "1";
        }
    }
}
