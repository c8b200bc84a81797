package io.inceptionstreams.streams.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.model.TestNetworks;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.classify.Prediction;
import io.inceptionstreams.model.classify.TensorBatch;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.model.preprocess.ImagePreprocessor;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
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

    /** A batch runner that holds each batch until released, and counts the images it ran. */
    private static final class GatedRunner implements InferenceEngine.BatchRunner {
        final ImageClassifier classifier;
        final Semaphore entered = new Semaphore(0);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger imagesRun = new AtomicInteger();

        GatedRunner(ImageClassifier classifier) {
            this.classifier = classifier;
        }

        @Override
        public CompletableFuture<List<List<Prediction>>> run(TensorBatch batch) {
            imagesRun.addAndGet(batch.count());
            entered.release();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return classifier.submit(batch);
        }
    }

    private InferenceEngine engine(
            ImageClassifier classifier,
            InferenceEngine.BatchRunner runner,
            InferenceEngine.Preprocessing preprocessing,
            int maxBatchSize,
            int preprocessThreads) {
        return new InferenceEngine(
                classifier,
                runner,
                preprocessing,
                new ImageReferenceResolver(List.of(), false, Duration.ofSeconds(1), 1 << 20),
                new InferenceEngine.BatchPolicy(maxBatchSize, Duration.ZERO),
                preprocessThreads,
                new ClassifierMetrics(registry));
    }

    private static InferenceEngine.Preprocessing realPreprocessing(ImageClassifier classifier) {
        return new ImagePreprocessor(classifier.inputSpec(), ImageLimits.defaults())::preprocess;
    }

    private static void awaitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in 30 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void shouldSkipImagesCancelledWhileWaitingForABatchAndNeverClassifyThem() throws Exception {
        ImageClassifier classifier = ImageClassifier.open(bundle, "cpu", 2);
        GatedRunner runner = new GatedRunner(classifier);
        try (InferenceEngine engine =
                engine(classifier, runner, realPreprocessing(classifier), 1, 2)) {
            // Given a batch of one image held on the device, and three prepared images behind it
            CompletableFuture<ClassificationOutcome> running =
                    engine.submit(TestImages.sample("running", 0));
            assertThat(runner.entered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<ClassificationOutcome>> queued = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                queued.add(engine.submit(TestImages.sample("queued-" + i, i)));
            }
            awaitUntil(() -> engine.preparedWaiting() == 3);

            // When the caller cancels the queued ones and the device finishes its batch
            queued.forEach(future -> future.cancel(false));
            runner.release.countDown();

            // Then the running image is classified, the cancelled ones are skipped, and the
            // device never saw them
            assertThat(running.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ClassificationOutcome.Classified.class);
            awaitUntil(() -> engine.skippedImages() == 3);
            assertThat(engine.preparedWaiting()).isZero();
            assertThat(runner.imagesRun).hasValue(1);
            assertThat(registry.get("inception.batch.size").summary().count()).isEqualTo(1);
        }
    }

    @Test
    void shouldSkipImagesCancelledBeforeTheyAreDecoded() throws Exception {
        // Given the only preprocessing thread held by a reference to a server that goes silent
        CountDownLatch answered = new CountDownLatch(1);
        try (RawHttpServer stalled =
                        new RawHttpServer(
                                (request, out) -> {
                                    RawHttpServer.write(
                                            out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
                                    answered.countDown();
                                    Thread.sleep(60_000);
                                });
                InferenceEngine engine =
                        new InferenceEngine(
                                ImageClassifier.open(bundle, "cpu", 2),
                                new ImageReferenceResolver(
                                        List.of(), true, true, Duration.ofSeconds(1), 1 << 20),
                                ImageLimits.defaults(),
                                new InferenceEngine.BatchPolicy(1, Duration.ZERO),
                                1,
                                new ClassifierMetrics(registry))) {
            CompletableFuture<ClassificationOutcome> holding =
                    engine.submit(TestImages.reference("holding", stalled.url("/slow.png")));
            assertThat(answered.await(30, TimeUnit.SECONDS)).isTrue();

            // When three images queued behind it are cancelled
            List<CompletableFuture<ClassificationOutcome>> queued = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                queued.add(engine.submit(TestImages.sample("queued-" + i, i)));
            }
            queued.forEach(future -> future.cancel(false));

            // Then the held one times out on its own, and the cancelled ones are never decoded
            // nor classified
            assertThat(holding.get(30, TimeUnit.SECONDS))
                    .isInstanceOfSatisfying(
                            ClassificationOutcome.Rejected.class,
                            r ->
                                    assertThat(r.reason())
                                            .isEqualTo(RejectionReason.REFERENCE_UNAVAILABLE));
            awaitUntil(() -> engine.skippedImages() == 3);
            assertThat(registry.find("inception.batch.size").summary())
                    .satisfiesAnyOf(
                            summary -> assertThat(summary).isNull(),
                            summary -> assertThat(summary.count()).isZero());
        }
    }

    @Test
    void shouldReportAStallOnlyWhileABatchRunsLongerThanTheBound() throws Exception {
        ImageClassifier classifier = ImageClassifier.open(bundle, "cpu", 2);
        GatedRunner runner = new GatedRunner(classifier);
        try (InferenceEngine engine =
                engine(classifier, runner, realPreprocessing(classifier), 1, 1)) {
            // Given an idle engine: never stalled
            assertThat(engine.stalled(Duration.ZERO)).isFalse();

            // When a batch is held on the device for 300 ms
            CompletableFuture<ClassificationOutcome> held =
                    engine.submit(TestImages.sample("held", 0));
            assertThat(runner.entered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(300);

            // Then the engine is stalled for a 100 ms bound, not for a minute's
            assertThat(engine.stalled(Duration.ofMillis(100))).isTrue();
            assertThat(engine.stalled(Duration.ofMinutes(1))).isFalse();

            // And once the batch is done it is idle again
            runner.release.countDown();
            held.get(60, TimeUnit.SECONDS);
            awaitUntil(() -> !engine.stalled(Duration.ZERO));
        }
    }

    @Test
    void shouldRejectAnImageThatExhaustsTheHeapAndKeepDecodingOthers() throws Exception {
        ImageClassifier classifier = ImageClassifier.open(bundle, "cpu", 2);
        InferenceEngine.Preprocessing real = realPreprocessing(classifier);
        byte[] boom = TestImages.png(8);
        InferenceEngine.Preprocessing failing =
                (encoded, contentType) -> {
                    if (Arrays.equals(encoded, boom)) {
                        throw new OutOfMemoryError("Java heap space");
                    }
                    return real.preprocess(encoded, contentType);
                };
        // One preprocessing thread: a dead worker would leave the next image waiting for ever.
        try (InferenceEngine engine = engine(classifier, classifier::submit, failing, 1, 1)) {
            ClassificationOutcome exhausted =
                    engine.submit(TestImages.inline("boom", boom, "image/png"))
                            .get(60, TimeUnit.SECONDS);
            ClassificationOutcome next =
                    engine.submit(TestImages.sample("next", 0)).get(60, TimeUnit.SECONDS);

            assertThat(exhausted)
                    .isInstanceOfSatisfying(
                            ClassificationOutcome.Rejected.class,
                            r -> {
                                assertThat(r.reason())
                                        .isEqualTo(RejectionReason.RESOURCE_EXHAUSTED);
                                assertThat(r.message())
                                        .contains("boom", "out of memory", "Java heap space");
                            });
            assertThat(next).isInstanceOf(ClassificationOutcome.Classified.class);
        }
    }

    @Test
    void shouldFailTheFutureOnOtherErrorsWhilePreparing() throws Exception {
        ImageClassifier classifier = ImageClassifier.open(bundle, "cpu", 2);
        InferenceEngine.Preprocessing broken =
                (encoded, contentType) -> {
                    throw new NoClassDefFoundError("javax/imageio/Missing");
                };
        try (InferenceEngine engine = engine(classifier, classifier::submit, broken, 1, 1)) {
            CompletableFuture<ClassificationOutcome> first =
                    engine.submit(TestImages.sample("a", 0));
            CompletableFuture<ClassificationOutcome> second =
                    engine.submit(TestImages.sample("b", 1));

            // An engine fault, not the image's: both fail (so their tasks retry), neither hangs
            assertThatThrownBy(() -> first.get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(NoClassDefFoundError.class);
            assertThatThrownBy(() -> second.get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(NoClassDefFoundError.class);
        }
    }

    @Test
    void shouldFailABatchWhoseRunThrowsAndGoOnWithTheNext() throws Exception {
        ImageClassifier classifier = ImageClassifier.open(bundle, "cpu", 2);
        AtomicInteger batches = new AtomicInteger();
        InferenceEngine.BatchRunner failingOnce =
                batch -> {
                    if (batches.incrementAndGet() == 1) {
                        throw new InternalError("device lost");
                    }
                    return classifier.submit(batch);
                };
        try (InferenceEngine engine =
                engine(classifier, failingOnce, realPreprocessing(classifier), 1, 1)) {
            CompletableFuture<ClassificationOutcome> first =
                    engine.submit(TestImages.sample("a", 0));
            assertThatThrownBy(() -> first.get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(InternalError.class);

            ClassificationOutcome second =
                    engine.submit(TestImages.sample("b", 1)).get(60, TimeUnit.SECONDS);

            assertThat(second).isInstanceOf(ClassificationOutcome.Classified.class);
            assertThat(engine.isRunning()).isTrue();
        }
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
        try (InferenceEngine engine = engine(16, Duration.ofSeconds(3))) {
            // When 2 images are submitted to an engine batching by 16 or after 3 s (the delay
            // counts from the first image's submission, so it must cover the second's decoding)
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
