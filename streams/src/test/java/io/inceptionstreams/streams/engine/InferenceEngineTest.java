package io.inceptionstreams.streams.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.model.TestNetworks;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferenceEngineTest {
    @TempDir static Path bundleDir;
    private static ModelBundle bundle;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void writeBundle() throws Exception {
        bundle = TestNetworks.randomBundle(bundleDir, "float32");
    }

    private InferenceEngine engine(int maxBatchSize, Duration maxDelay) throws Exception {
        return new InferenceEngine(
                ImageClassifier.open(bundle, "cpu", 2),
                new ImageReferenceResolver(List.of(), false, Duration.ofSeconds(1), 1 << 20),
                ImageLimits.defaults(),
                new InferenceEngine.BatchPolicy(maxBatchSize, maxDelay),
                2,
                new ClassifierMetrics(registry));
    }

    @Test
    void shouldCloseBatchesAtMaxBatchSize() throws Exception {
        try (InferenceEngine engine = engine(3, Duration.ofMinutes(1))) {
            // When 6 images are submitted to an engine batching by 3 (or after a minute)
            List<CompletableFuture<ClassificationOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                futures.add(engine.submit(TestImages.sample("img-" + i, i)));
            }

            // Then each is classified with 2 labels in a batch of 3
            for (CompletableFuture<ClassificationOutcome> future : futures) {
                ClassificationOutcome.Classified outcome =
                        (ClassificationOutcome.Classified) future.get(60, TimeUnit.SECONDS);
                assertThat(outcome.batchSize()).isEqualTo(3);
                assertThat(outcome.predictions()).hasSize(2);
            }
            assertThat(registry.get("inception.batch.size").summary().count()).isEqualTo(2);
        }
    }

    @Test
    void shouldCloseAPartialBatchWhenTheOldestImageHasWaitedMaxDelay() throws Exception {
        try (InferenceEngine engine = engine(16, Duration.ofMillis(500))) {
            // When 2 images are submitted to an engine batching by 16 or after 500 ms
            CompletableFuture<ClassificationOutcome> first =
                    engine.submit(TestImages.sample("a", 0));
            CompletableFuture<ClassificationOutcome> second =
                    engine.submit(TestImages.sample("b", 1));

            // Then both come back from one batch of 2
            ClassificationOutcome.Classified a =
                    (ClassificationOutcome.Classified) first.get(60, TimeUnit.SECONDS);
            ClassificationOutcome.Classified b =
                    (ClassificationOutcome.Classified) second.get(60, TimeUnit.SECONDS);
            assertThat(a.batchSize()).isEqualTo(2);
            assertThat(b.batchSize()).isEqualTo(2);
        }
    }

    @Test
    void shouldRejectBadImagesWithTheirReason() throws Exception {
        try (InferenceEngine engine = engine(4, Duration.ofMillis(10))) {
            ClassificationOutcome corrupt =
                    engine.submit(TestImages.corrupt("c")).get(60, TimeUnit.SECONDS);
            ClassificationOutcome text =
                    engine.submit(TestImages.notAnImage("t")).get(60, TimeUnit.SECONDS);
            ClassificationOutcome reference =
                    engine.submit(TestImages.reference("r", "file:///etc/passwd"))
                            .get(60, TimeUnit.SECONDS);

            assertThat(corrupt)
                    .isInstanceOfSatisfying(
                            ClassificationOutcome.Rejected.class,
                            r -> assertThat(r.reason()).isEqualTo(RejectionReason.CORRUPT));
            assertThat(text)
                    .isInstanceOfSatisfying(
                            ClassificationOutcome.Rejected.class,
                            r ->
                                    assertThat(r.reason())
                                            .isEqualTo(RejectionReason.UNSUPPORTED_TYPE));
            assertThat(reference)
                    .isInstanceOfSatisfying(
                            ClassificationOutcome.Rejected.class,
                            r ->
                                    assertThat(r.reason())
                                            .isEqualTo(RejectionReason.REFERENCE_NOT_ALLOWED));
        }
    }

    @Test
    void shouldCompleteOrFailEveryOutstandingFutureOnClose() throws Exception {
        // Given many images submitted to an engine that batches slowly
        InferenceEngine engine = engine(8, Duration.ofSeconds(5));
        List<CompletableFuture<ClassificationOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            futures.add(engine.submit(TestImages.sample("img-" + i, i)));
        }

        // When it closes at once
        engine.close();

        // Then every future is done, and later submissions fail at once
        assertThat(futures).allMatch(CompletableFuture::isDone);
        assertThat(engine.submit(TestImages.sample("late", 0))).isCompletedExceptionally();
    }
}
