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
import io.inceptionstreams.model.preprocess.InputSpec;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Switching the engine's model while images flow: at a batch boundary, each label names its model.
 */
@Timeout(90)
class InferenceEngineSwitchTest {
    @TempDir static Path bundles;
    private static ModelBundle v1;
    private static ModelBundle v2;

    @BeforeAll
    static void writeBundles() throws Exception {
        v1 =
                TestNetworks.randomBundle(
                        bundles.resolve("v1"),
                        "float32",
                        "1",
                        TestNetworks.LABELS,
                        TestNetworks.GRAY_48);
        v2 =
                TestNetworks.randomBundle(
                        bundles.resolve("v2"),
                        "float32",
                        "2",
                        TestNetworks.LABELS,
                        TestNetworks.GRAY_48);
    }

    @Test
    void shouldFinishTheRunningBatchOnTheOldModelAndRunImagesSubmittedAfterTheSwitchOnTheNew()
            throws Exception {
        // Given an engine whose first model holds its batch until released
        ImageClassifier first = ImageClassifier.open(v1, "cpu", 2);
        ImageClassifier second = ImageClassifier.open(v2, "cpu", 2);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InferenceEngine.BatchRunner holding =
                batch -> {
                    entered.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return first.submit(batch);
                };
        try (InferenceEngine engine = engine(first, holding)) {
            CompletableFuture<ClassificationOutcome> running =
                    engine.submit(TestImages.sample("running", 0));
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

            // When a switch is asked for while that batch runs, and another image comes
            CompletableFuture<Instant> switched = engine.switchTo(second, "test-net", "2");
            CompletableFuture<ClassificationOutcome> waiting =
                    engine.submit(TestImages.sample("waiting", 1));
            Thread.sleep(300);
            assertThat(switched).isNotDone();
            release.countDown();
            assertThat(switched.get(10, TimeUnit.SECONDS)).isNotNull();
            CompletableFuture<ClassificationOutcome> after =
                    engine.submit(TestImages.sample("after", 2));

            // Then the running batch and the image submitted before the switch took place are
            // the old model's, the image submitted after it the new model's
            assertThat(version(running)).isEqualTo("1");
            assertThat(version(waiting)).isEqualTo("1");
            assertThat(version(after)).isEqualTo("2");
            assertThat(engine.modelVersion()).isEqualTo("2");
        }
    }

    @Test
    void shouldNeverLabelWithTheOldModelOnceTheSwitchIsDoneAndCloseIt() throws Exception {
        // Given an engine on version 1 with images flowing
        ImageClassifier first = ImageClassifier.open(v1, "cpu", 2);
        try (InferenceEngine engine = engine(first, first::submit)) {
            List<CompletableFuture<ClassificationOutcome>> before = submit(engine, "before", 40);

            // When version 2 is switched to while they are classified
            ImageClassifier second = ImageClassifier.open(v2, "cpu", 2);
            engine.switchTo(second, "test-net", "2").get(30, TimeUnit.SECONDS);
            List<CompletableFuture<ClassificationOutcome>> after = submit(engine, "after", 20);

            // Then every image is labelled by 1 or 2, every later one by 2, and 1 is closed
            for (CompletableFuture<ClassificationOutcome> future : before) {
                assertThat(version(future)).isIn("1", "2");
            }
            for (CompletableFuture<ClassificationOutcome> future : after) {
                assertThat(version(future)).isEqualTo("2");
            }
            awaitClosed(first);
        }
    }

    @Test
    void shouldKeepTheOldModelForAnImageSubmittedBeforeTheSwitchButPreparedAfterIt()
            throws Exception {
        // Given an engine whose decoder holds one image until released, on two threads
        ImageClassifier first = ImageClassifier.open(v1, "cpu", 2);
        byte[] slowBytes = TestImages.samples().get(0).bytes();
        CountDownLatch slowRelease = new CountDownLatch(1);
        ImagePreprocessor real = new ImagePreprocessor(first.inputSpec(), ImageLimits.defaults());
        InferenceEngine.Preprocessing holding =
                (encoded, contentType) -> {
                    if (Arrays.equals(encoded, slowBytes)) {
                        try {
                            slowRelease.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return real.preprocess(encoded, contentType);
                };
        try (InferenceEngine engine =
                new InferenceEngine(
                        first,
                        first::submit,
                        holding,
                        new ImageReferenceResolver(
                                List.of(), false, Duration.ofSeconds(1), 1 << 20),
                        new InferenceEngine.BatchPolicy(4, Duration.ofMillis(5)),
                        2,
                        new ClassifierMetrics(new SimpleMeterRegistry()))) {
            // When an image is submitted, the model switched while it decodes, another submitted
            CompletableFuture<ClassificationOutcome> slow =
                    engine.submit(TestImages.sample("slow", 0));
            engine.switchTo(ImageClassifier.open(v2, "cpu", 2), "test-net", "2")
                    .get(30, TimeUnit.SECONDS);
            CompletableFuture<ClassificationOutcome> fast =
                    engine.submit(TestImages.sample("fast", 1));
            assertThat(version(fast)).isEqualTo("2");
            Thread.sleep(300);
            slowRelease.countDown();

            // Then the earlier image still runs on the old model, kept open for it, then closed
            assertThat(version(slow)).isEqualTo("1");
            awaitClosed(first);
        }
    }

    @Test
    void shouldRunTheShadowModelOnTheSameBatchAndKeepLabellingWhenItFails() throws Exception {
        // Given an engine on version 1 with version 2 as its shadow
        ImageClassifier first = ImageClassifier.open(v1, "cpu", 2);
        ImageClassifier shadow = ImageClassifier.open(v2, "cpu", 2);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (InferenceEngine engine = engine(first, first::submit, meters)) {
            engine.switchShadowTo(shadow, "test-net", "2").get(30, TimeUnit.SECONDS);

            // When an image is classified
            ClassificationOutcome.Classified both =
                    (ClassificationOutcome.Classified)
                            engine.submit(TestImages.sample("both", 0)).get(30, TimeUnit.SECONDS);

            // Then it carries the shadow's predictions beside the active ones
            assertThat(both.modelVersion()).isEqualTo("1");
            assertThat(both.shadow().modelVersion()).isEqualTo("2");
            assertThat(both.shadow().predictions()).hasSize(2);
            assertThat(meters.get("inception.shadow.agreement").gauge().value()).isIn(0.0, 1.0);

            // When the shadow fails (here: closed under the engine's feet)
            shadow.close();
            ClassificationOutcome.Classified alone =
                    (ClassificationOutcome.Classified)
                            engine.submit(TestImages.sample("alone", 1)).get(30, TimeUnit.SECONDS);

            // Then the active label still comes, without a shadow, and the failure is counted
            assertThat(alone.modelVersion()).isEqualTo("1");
            assertThat(alone.shadow()).isNull();
            assertThat(meters.get("inception.shadow.failures").counter().count()).isEqualTo(1.0);

            // When the shadow is stopped, Then it is gone
            engine.switchShadowTo(null, null, null).get(30, TimeUnit.SECONDS);
            assertThat(engine.shadowVersion()).isNull();
        }
    }

    @Test
    void shouldRefuseAModelTakingAnotherInput() throws Exception {
        // Given a 64x64 model beside an engine preparing 48x48 images
        ModelBundle wide =
                TestNetworks.randomBundle(
                        bundles.resolve("wide"),
                        "float32",
                        "3",
                        TestNetworks.LABELS,
                        new InputSpec(64, 64, 1, new float[] {0.5f}, new float[] {0.25f}));
        ImageClassifier first = ImageClassifier.open(v1, "cpu", 2);
        try (InferenceEngine engine = engine(first, first::submit);
                ImageClassifier other = ImageClassifier.open(wide, "cpu", 2)) {
            // When / Then
            assertThatThrownBy(() -> engine.switchTo(other, "test-net", "3"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("prepared for");
            assertThat(version(engine.submit(TestImages.sample("still", 0)))).isEqualTo("1");
        }
    }

    /** Waits until {@code classifier} refuses batches: the engine has closed it. */
    private static void awaitClosed(ImageClassifier classifier) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                classifier.submit(new TensorBatch(new float[48 * 48], 1)).get();
            } catch (ExecutionException e) {
                assertThat(e).hasMessageContaining("closed");
                return;
            }
            assertThat(System.nanoTime()).as("old model closed").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static InferenceEngine engine(
            ImageClassifier classifier, InferenceEngine.BatchRunner runner) {
        return engine(classifier, runner, new SimpleMeterRegistry());
    }

    private static InferenceEngine engine(
            ImageClassifier classifier,
            InferenceEngine.BatchRunner runner,
            SimpleMeterRegistry meters) {
        return new InferenceEngine(
                classifier,
                runner,
                new ImagePreprocessor(classifier.inputSpec(), ImageLimits.defaults())::preprocess,
                new ImageReferenceResolver(List.of(), false, Duration.ofSeconds(1), 1 << 20),
                new InferenceEngine.BatchPolicy(4, Duration.ofMillis(5)),
                2,
                new ClassifierMetrics(meters));
    }

    private static List<CompletableFuture<ClassificationOutcome>> submit(
            InferenceEngine engine, String prefix, int count) {
        List<CompletableFuture<ClassificationOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(engine.submit(TestImages.sample(prefix + "-" + i, i)));
        }
        return futures;
    }

    private static String version(CompletableFuture<ClassificationOutcome> future)
            throws Exception {
        ClassificationOutcome outcome = future.get(30, TimeUnit.SECONDS);
        assertThat(outcome).isInstanceOf(ClassificationOutcome.Classified.class);
        ClassificationOutcome.Classified classified = (ClassificationOutcome.Classified) outcome;
        List<Prediction> predictions = classified.predictions();
        assertThat(predictions).hasSize(2);
        return classified.modelVersion();
    }
}
