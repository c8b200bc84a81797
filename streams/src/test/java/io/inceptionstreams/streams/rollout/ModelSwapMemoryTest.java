package io.inceptionstreams.streams.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.model.NativeMemory;
import io.inceptionstreams.model.TestNetworks;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.preprocess.ImageLimits;
import io.inceptionstreams.streams.ChildJvm;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.engine.ClassificationOutcome;
import io.inceptionstreams.streams.engine.ImageReferenceResolver;
import io.inceptionstreams.streams.engine.InferenceEngine;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 *
 * <p>The swaps run in a JVM of their own ({@link #main}): in the suite's JVM, native memory that
 * other test classes' clients and stores release or grow at their own pace moved the measurement by
 * more than the margin.
 */
@Timeout(120)
class ModelSwapMemoryTest {
    private static final Logger log = LoggerFactory.getLogger(ModelSwapMemoryTest.class);

    /**
     * A retired model kept reachable grows the process by about 55 MB a swap (24 MB of float32
     * weights, the cached graph's buffers): twelve of them show. (One merely left unclosed is freed
     * when the collector finds it unreachable.)
     */
    private static final long MARGIN_BYTES = 64L << 20;

    private static final int SWAPS = 20;

    private static final String REPORT = "native-resident-bytes ";

    @TempDir Path dir;

    @Test
    void shouldKeepTheResidentSetFlatOverTwentySwapsBackAndForth() throws Exception {
        // Given a JVM of its own with an engine on version 1 and version 2 beside it
        // When it swaps twenty times, classifying a few images on each model
        Process child =
                ChildJvm.builder(
                                dir,
                                ModelSwapMemoryTest.class.getName(),
                                List.of("-Xmx256m"),
                                dir.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        List<Long> resident = new ArrayList<>();
        try (BufferedReader out = child.inputReader()) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(REPORT)) {
                    resident.add(Long.parseLong(line.substring(REPORT.length())));
                }
            }
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isZero();
        assertThat(resident).hasSize(SWAPS);

        // Then it grew by less than the margin between swaps 5-8 (both models loaded twice,
        // allocator pools and caches warm) and swaps 17-20, medians of four (single readings move
        // by +-20 MB); a model kept per swap would be ~650 MB, a thread's state per swap ~120 MB
        long early = median(resident.subList(4, 8));
        long late = median(resident.subList(SWAPS - 4, SWAPS));
        log.info(
                "native resident set (MB) by swap {}: swaps 5-8 {} MB, swaps 17-20 {} MB",
                resident.stream().map(bytes -> bytes >> 20).toList(),
                early >> 20,
                late >> 20);
        assertThat(late - early).as("growth from swaps 5-8 to 17-20").isLessThan(MARGIN_BYTES);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    }

    /**
     * The swaps, in the child JVM: writes the two bundles under {@code args[0]}, then prints the
     * native resident set after each swap.
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
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
                    String labelledBy = ((ClassificationOutcome.Classified) outcome).modelVersion();
                    if (!labelledBy.equals(version)) {
                        throw new IllegalStateException(
                                "swap "
                                        + swap
                                        + ": labelled by "
                                        + labelledBy
                                        + ", not "
                                        + version);
                    }
                }
                System.out.println(REPORT + NativeMemory.residentBytes());
            }
        }
    }
}
