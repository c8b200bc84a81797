package io.inceptionstreams.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

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
                                "restore-test"));
        imageSerde = new SpecificAvroSerde<>();
        imageSerde.configure(config.serdeConfig(), false);
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
        assertThat(((LabelEvent) out.get(0).record().value()).getImageId()).hasToString("img-7");
        assertThat(((LabelEvent) out.get(2).record().value()).getImageId()).hasToString("img-9");
        Record<?, ?> deadLetter = out.get(1).record();
        assertThat(new String((byte[]) deadLetter.key(), StandardCharsets.UTF_8))
                .isEqualTo("bad-8");
        assertThat(header(deadLetter, "__streams.errors.partition")).isEqualTo("2");
        assertThat(header(deadLetter, "__streams.errors.offset")).isEqualTo("108");
        assertThat(header(deadLetter, DeadLetters.REASON_HEADER)).isEqualTo("CORRUPT");

        // And the store is empty again
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
        assertThat(store.approximateNumEntries()).isZero();
    }

    // --- harness

    private ClassifyProcessor processor(int maxInFlight) {
        return new ClassifyProcessor(
                engine,
                sourceSerde,
                new ClassifierMetrics(new SimpleMeterRegistry()),
                maxInFlight,
                Duration.ofMillis(1),
                Duration.ofMillis(10));
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

    private void punctuate() {
        assertThat(context.scheduledPunctuators()).hasSize(1);
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(0L);
    }

    private List<String> labelIds() {
        List<String> ids = new ArrayList<>();
        for (CapturedForward<?, ?> forward : context.forwarded()) {
            assertThat(forward.childName()).contains(ClassifierTopology.SINK);
            ids.add(((LabelEvent) forward.record().value()).getImageId().toString());
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

        List<String> submittedIds() {
            return List.copyOf(submitted.keySet());
        }

        void label(String id) {
            submitted
                    .get(id)
                    .complete(
                            new ClassificationOutcome.Classified(
                                    List.of(new Prediction("label-" + id, 0, 0.9f)), 1, 0, 0));
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
