package io.inceptionstreams.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.model.classify.Prediction;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.registry.MockSchemaRegistry;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.engine.AsyncImageClassifier;
import io.inceptionstreams.streams.engine.ClassificationOutcome;
import io.inceptionstreams.streams.engine.RejectionReason;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The restart path of {@link ClassifyProcessor} at processor level: a pending store that already
 * holds entries, as a task's store does after it was restored from its changelog on a new owner,
 * before {@code init} runs.
 */
class ClassifyProcessorRestoreTest {
    private static final String SCOPE = ClassifyProcessorRestoreTest.class.getSimpleName();
    private static final String TOPIC = "images";

    private ClassifierConfig config;
    private SpecificAvroSerde<ImageEvent> imageSerde;
    private SpecificAvroSerde<LabelEvent> labelSerde;
    private SourceImageSerde sourceSerde;
    private MockProcessorContext<Object, Object> context;
    private KeyValueStore<Long, PendingImage> store;
    private final ScriptedClassifier engine = new ScriptedClassifier();

    @BeforeEach
    void setUp() {
        config =
                ClassifierConfig.of(
                        Map.of(
                                ClassifierConfig.SCHEMA_REGISTRY_URL,
                                "mock://" + SCOPE,
                                ClassifierConfig.APPLICATION_ID,
                                "restore-test",
                                ClassifierConfig.PROCESSING_GUARANTEE,
                                "at_least_once"));
        imageSerde = new SpecificAvroSerde<>();
        imageSerde.configure(config.serdeConfig(), false);
        labelSerde = new SpecificAvroSerde<>();
        labelSerde.configure(config.serdeConfig(), false);
        sourceSerde = new SourceImageSerde();
        sourceSerde.configure(config.serdeConfig(), false);
        context = new MockProcessorContext<>(ClassifierTopology.streamsProperties(config));
        context.setCurrentSystemTimeMs(10_000L);
        store =
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(ClassifierTopology.PENDING_STORE),
                                Serdes.Long(),
                                new PendingImageSerde())
                        .withLoggingDisabled()
                        .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }

    @AfterEach
    void tearDown() {
        store.close();
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void shouldResubmitEveryRestoredImageOnInitAndForwardThemInSequenceOrder() {
        // Given a restored store whose head is sequence 7 (0-6 were forwarded before the crash):
        // two good images around one the engine will reject, from partition 2, offsets 107-109
        restore(7, "img-7", 107, 7_000L);
        restore(8, "bad-8", 108, 8_000L);
        restore(9, "img-9", 109, 9_000L);
        ClassifyProcessor processor = processor(64);

        // When the processor is initialised
        processor.init(context);

        // Then every restored image is handed to the engine again, in sequence order, before any
        // new input arrives
        assertThat(engine.submittedIds()).containsExactly("img-7", "bad-8", "img-9");

        // When the later two finish first (one rejected) and the punctuator runs
        engine.label("img-9");
        engine.reject("bad-8");
        punctuate();

        // Then nothing overtakes the unfinished head
        assertThat(context.forwarded()).isEmpty();
        assertThat(store.approximateNumEntries()).isEqualTo(3);

        // When the head finishes too
        engine.label("img-7");
        punctuate();

        // Then all three are forwarded in sequence order, with their original timestamps, the
        // rejected one as a dead letter naming its original partition and offset
        List<CapturedForward<?, ?>> out = List.copyOf(context.forwarded());
        assertThat(out)
                .extracting(forward -> forward.childName().orElseThrow())
                .containsExactly(
                        ClassifierTopology.SINK,
                        ClassifierTopology.DEAD_LETTERS,
                        ClassifierTopology.SINK);
        assertThat(out)
                .extracting(forward -> forward.record().timestamp())
                .containsExactly(7_000L, 8_000L, 9_000L);
        assertThat(label(out.get(0).record()).getImageId()).hasToString("img-7");
        assertThat(label(out.get(2).record()).getImageId()).hasToString("img-9");
        Record<?, ?> deadLetter = out.get(1).record();
        assertThat(new String((byte[]) deadLetter.key(), StandardCharsets.UTF_8))
                .isEqualTo("bad-8");
        assertThat(header(deadLetter, "__streams.errors.partition")).isEqualTo("2");
        assertThat(header(deadLetter, "__streams.errors.offset")).isEqualTo("108");
        assertThat(header(deadLetter, DeadLetters.REASON_HEADER)).isEqualTo("CORRUPT");

        // And the store is emptied once a producer flush has acknowledged the outputs
        assertThat(store.approximateNumEntries()).isEqualTo(3);
        flushAndPunctuate();
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldContinueTheSequenceAfterTheRestoredEntriesAndQueueNewImagesBehindThem() {
        // Given a restored store holding sequences 3 and 4, and a task allowed 2 in flight
        restore(3, "img-3", 30, 3_000L);
        restore(4, "img-4", 31, 4_000L);
        ClassifyProcessor processor = processor(2);
        processor.init(context);

        // When a new image arrives while both restored ones are still running
        context.setRecordMetadata(TOPIC, 2, 32);
        processor.process(newRecord("img-new", 5_000L));

        // Then it is stored after them, under sequence 5, and waits for capacity
        assertThat(store.get(5L)).isNotNull();
        assertThat(store.get(5L).offset()).isEqualTo(32);
        assertThat(engine.submittedIds()).containsExactly("img-3", "img-4");

        // When the restored ones finish
        engine.label("img-3");
        engine.label("img-4");
        punctuate();

        // Then they are forwarded first, and the new image is submitted only now
        assertThat(labelIds()).containsExactly("img-3", "img-4");
        assertThat(engine.submittedIds()).containsExactly("img-3", "img-4", "img-new");

        // When the new one finishes, it follows them
        engine.label("img-new");
        punctuate();
        assertThat(labelIds()).containsExactly("img-3", "img-4", "img-new");
        flushAndPunctuate();
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldForwardEveryEntryOnceWhenTheRestoredStoreHasGapsAndDeadLetterOneItCannotRead() {
        // Given a restored store with gaps (a partially flushed changelog), one entry of which
        // holds bytes that are no image event at all
        restore(3, "img-3", 30, 3_000L);
        restore(5, "img-5", 31, 5_000L);
        store.put(
                7L,
                new PendingImage(
                        7_000L,
                        TOPIC,
                        2,
                        32,
                        "broken-7".getBytes(StandardCharsets.UTF_8),
                        new byte[] {0, 0, 0, 0, 42, 1},
                        new RecordHeaders()));
        restore(9, "img-9", 33, 9_000L);
        ClassifyProcessor processor = processor(64);

        // When the processor starts and the engine finishes every image
        processor.init(context);
        engine.submittedIds().forEach(engine::label);
        punctuate();

        // Then each entry is forwarded exactly once, in order, the unreadable one as a dead
        // letter with its reason, and nothing is thrown
        assertThat(engine.submittedIds()).containsExactly("img-3", "img-5", "img-9");
        assertThat(context.forwarded())
                .extracting(forward -> forward.childName().orElseThrow())
                .containsExactly(
                        ClassifierTopology.SINK,
                        ClassifierTopology.SINK,
                        ClassifierTopology.DEAD_LETTERS,
                        ClassifierTopology.SINK);
        assertThat(header(context.forwarded().get(2).record(), DeadLetters.REASON_HEADER))
                .isEqualTo("UNREADABLE_EVENT");
        flushAndPunctuate();
        assertThat(context.forwarded()).hasSize(4);
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldKeepForwardedEntriesUntilAProducerFlushAcknowledgesThemUnderAtLeastOnce() {
        // Given an image labelled under at_least_once
        ClassifyProcessor processor = processor(64);
        processor.init(context);
        context.setRecordMetadata(TOPIC, 2, 40);
        processor.process(newRecord("img-40", 4_000L));
        engine.label("img-40");
        punctuate();
        assertThat(labelIds()).containsExactly("img-40");

        // Then its entry survives until a flush completes after the label was sent (the
        // tombstone must never be durable while the label is not), and a commit is requested
        punctuate();
        assertThat(store.approximateNumEntries()).isOne();
        assertThat(context.committed()).isTrue();
        flushAndPunctuate();
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldDeadLetterAnImageNotClassifiedInTimeAsTimeoutAndForwardTheNextOne() {
        // Given two images, the first of which the engine never finishes
        ClassifyProcessor processor = processor(64, Duration.ofSeconds(5));
        processor.init(context);
        context.setRecordMetadata(TOPIC, 2, 50);
        processor.process(newRecord("stuck", 5_000L));
        context.setRecordMetadata(TOPIC, 2, 51);
        processor.process(newRecord("next", 5_001L));
        engine.label("next");

        // When image.timeout.ms has passed
        context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + 5_001);
        punctuate();

        // Then the late one is a TIMEOUT dead letter and the one behind it is labelled
        assertThat(context.forwarded())
                .extracting(forward -> forward.childName().orElseThrow())
                .containsExactly(ClassifierTopology.DEAD_LETTERS, ClassifierTopology.SINK);
        assertThat(header(context.forwarded().get(0).record(), DeadLetters.REASON_HEADER))
                .isEqualTo("TIMEOUT");
    }

    @Test
    void shouldFailTheTaskRatherThanDeadLetterWhenTheEngineItselfIsStalled() {
        // Given an image the engine never finishes, because the engine is stuck
        ClassifyProcessor processor = processor(64, Duration.ofSeconds(5));
        processor.init(context);
        context.setRecordMetadata(TOPIC, 2, 60);
        processor.process(newRecord("victim", 6_000L));
        engine.stalled = true;

        // When the timeout passes, then the task fails and nothing is dead-lettered
        context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + 5_001);
        assertThatThrownBy(this::punctuate)
                .isInstanceOf(StreamsException.class)
                .hasMessageContaining("image.timeout.ms");
        assertThat(context.forwarded()).isEmpty();
        assertThat(store.get(0L)).isNotNull();
    }

    @Test
    void shouldCancelTheEngineWorkOfItsImagesWhenClosed() {
        // Given an image in flight
        ClassifyProcessor processor = processor(64);
        processor.init(context);
        context.setRecordMetadata(TOPIC, 2, 70);
        processor.process(newRecord("revoked", 7_000L));

        // When the task is closed (revoked), then its future is cancelled and the entry stays
        processor.close();
        assertThat(engine.future("revoked")).isCancelled();
        assertThat(store.get(0L)).isNotNull();
    }

    // --- harness

    private ClassifyProcessor processor(int maxInFlight) {
        return processor(maxInFlight, Duration.ofSeconds(60));
    }

    private ClassifyProcessor processor(int maxInFlight, Duration imageTimeout) {
        return new ClassifyProcessor(
                engine,
                sourceSerde,
                labelSerde.serializer(),
                "labels",
                "labels.shadow",
                new ClassifierMetrics(new SimpleMeterRegistry()),
                maxInFlight,
                Duration.ofMillis(10),
                imageTimeout);
    }

    /** Puts what a restored changelog would hold under {@code sequence}. */
    private void restore(long sequence, String id, long offset, long timestamp) {
        byte[] value = imageSerde.serializer().serialize(TOPIC, TestImages.sample(id, 0));
        store.put(
                sequence,
                new PendingImage(
                        timestamp,
                        TOPIC,
                        2,
                        offset,
                        id.getBytes(StandardCharsets.UTF_8),
                        value,
                        new RecordHeaders()));
    }

    private Record<byte[], SourceImage> newRecord(String id, long timestamp) {
        byte[] value = imageSerde.serializer().serialize(TOPIC, TestImages.sample(id, 1));
        return new Record<>(
                id.getBytes(StandardCharsets.UTF_8),
                sourceSerde.deserializer().deserialize(TOPIC, value),
                timestamp);
    }

    /** A commit's producer flush (acknowledging what was sent), then a punctuation. */
    private void flushAndPunctuate() {
        ProducerFlushes.recordCompleted();
        punctuate();
    }

    private LabelEvent label(Record<?, ?> record) {
        return labelSerde.deserializer().deserialize("labels", (byte[]) record.value());
    }

    private void punctuate() {
        assertThat(context.scheduledPunctuators()).hasSize(1);
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(0L);
    }

    private List<String> labelIds() {
        List<String> ids = new ArrayList<>();
        for (CapturedForward<?, ?> forward : context.forwarded()) {
            assertThat(forward.childName()).contains(ClassifierTopology.SINK);
            ids.add(label(forward.record()).getImageId().toString());
        }
        return ids;
    }

    private static String header(Record<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** An engine whose images finish, by id, when the test says. */
    private static final class ScriptedClassifier implements AsyncImageClassifier {
        private final Map<String, CompletableFuture<ClassificationOutcome>> submitted =
                new LinkedHashMap<>();

        @Override
        public CompletableFuture<ClassificationOutcome> submit(ImageEvent event) {
            CompletableFuture<ClassificationOutcome> future = new CompletableFuture<>();
            submitted.put(event.getId().toString(), future);
            return future;
        }

        boolean stalled;

        List<String> submittedIds() {
            return List.copyOf(submitted.keySet());
        }

        CompletableFuture<ClassificationOutcome> future(String id) {
            return submitted.get(id);
        }

        @Override
        public boolean stalled(Duration bound) {
            return stalled;
        }

        void label(String id) {
            submitted
                    .get(id)
                    .complete(
                            new ClassificationOutcome.Classified(
                                    List.of(new Prediction("label-" + id, 0, 0.9f)),
                                    1,
                                    0,
                                    0,
                                    "scripted",
                                    "1"));
        }

        void reject(String id) {
            submitted
                    .get(id)
                    .complete(
                            new ClassificationOutcome.Rejected(
                                    RejectionReason.CORRUPT,
                                    new IllegalArgumentException("scripted rejection")));
        }

        @Override
        public String modelName() {
            return "scripted";
        }

        @Override
        public String modelVersion() {
            return "1";
        }
    }
}
