package io.inceptionstreams.streams.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.model.TestNetworks;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.engine.ClassificationOutcome;
import io.inceptionstreams.streams.engine.ImageReferenceResolver;
import io.inceptionstreams.streams.engine.InferenceEngine;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Swapping models releases the old ones' native memory: the process does not grow per swap. (With a
 * predictor thread per classifier it grew about 10 MB a swap: MXNet's per-thread native state.)
 */
@Timeout(90)
class ModelSwapMemoryTest {
    private static final Logger log = LoggerFactory.getLogger(ModelSwapMemoryTest.class);

    /** Each test model holds about 24 MB of float32 weights: a leaked one per swap shows. */
    private static final long MARGIN_BYTES = 64L << 20;

    private static final int SWAPS = 20;

    @TempDir Path dir;

    @Test
    void shouldKeepTheResidentSetFlatOverTwentySwapsBackAndForth() throws Exception {
        // Given an engine on version 1 and version 2 beside it
        ModelBundle v1 =
                TestNetworks.randomBundle(
                        dir.resolve("v1"),
                        "float32",
                        "1",
                        TestNetworks.LABELS,
                        TestNetworks.GRAY_48);
        ModelBundle v2 =
                TestNetworks.randomBundle(
                        dir.resolve("v2"),
                        "float32",
                        "2",
                        TestNetworks.LABELS,
                        TestNetworks.GRAY_48);
        List<ModelBundle> bundles = List.of(v1, v2);
        ModelLoader loader = new ModelLoader(TestNetworks.GRAY_48, "cpu", 2, 8);
        try (InferenceEngine engine =
                new InferenceEngine(
                        ImageClassifier.open(v1, "cpu", 2),
                        new ImageReferenceResolver(
                                List.of(), false, Duration.ofSeconds(1), 1 << 20),
                        ImageLimits.defaults(),
                        new InferenceEngine.BatchPolicy(8, Duration.ofMillis(5)),
                        1,
                        new ClassifierMetrics(new SimpleMeterRegistry()))) {
            long baseline = 0;

            // When it swaps twenty times, classifying a few images on each model
            for (int swap = 1; swap <= SWAPS; swap++) {
                ModelBundle next = bundles.get(swap % 2);
                String version = next.descriptor().version();
                ImageClassifier loaded =
                        loader.load(ModelLoaderTest.deployment(next, next.sha256()));
                engine.switchTo(loaded, "test-net", version).get(30, TimeUnit.SECONDS);
                for (int i = 0; i < 4; i++) {
                    ClassificationOutcome outcome =
                            engine.submit(TestImages.sample("s" + swap + "-" + i, i))
                                    .get(30, TimeUnit.SECONDS);
                    assertThat(((ClassificationOutcome.Classified) outcome).modelVersion())
                            .isEqualTo(version);
                }
                log.debug("swap {}: resident set {} MB", swap, residentBytes() >> 20);
                if (swap == 2) {
                    // Both models have been loaded once: allocator pools and caches are warm.
                    baseline = residentBytes();
                }
            }
            long after = residentBytes();
            log.info(
                    "native resident set after 2 swaps {} MB, after {} swaps {} MB",
                    baseline >> 20,
                    SWAPS,
                    after >> 20);

            // Then the process grew by less than the margin (18 leaked models would be ~430 MB)
            assertThat(after - baseline).isLessThan(MARGIN_BYTES);
        }
    }

    /**
     * VmRSS of this process, from /proc/self/status, less the memory the JVM has committed to its
     * heap and its own non-heap areas: what native code (MXNet) holds. The test shares its JVM with
     * other test classes, whose heap growth would otherwise count as a leak here.
     */
    private static long residentBytes() throws Exception {
        System.gc();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long jvm =
                memory.getHeapMemoryUsage().getCommitted()
                        + memory.getNonHeapMemoryUsage().getCommitted();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 - jvm;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
