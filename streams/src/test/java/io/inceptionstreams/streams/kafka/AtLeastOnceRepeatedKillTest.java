package io.inceptionstreams.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.kafka.IntegrationFixtures.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An instance under at-least-once killed again and again: each in its own JVM, killed with SIGKILL
 * (no chance to close or commit) at a different point of the stream, replaced each time by a new
 * one of the same application, alternately on a fresh state directory (another host) and on the one
 * the killed instances used (the same host restarted), while images keep arriving.
 */
@Timeout(240)
class AtLeastOnceRepeatedKillTest extends BrokerTest {
    private static final Logger log = LoggerFactory.getLogger(AtLeastOnceRepeatedKillTest.class);
    private static final Duration AWAIT = Duration.ofSeconds(60);
    private static final int BATCH = 50;
    // An instance is killed once this share of all images is labelled: after 10%, 25%, ... 70%.
    private static final double[] KILL_AT = {0.10, 0.25, 0.40, 0.55, 0.70};
    private static final int IMAGES = BATCH * (KILL_AT.length + 1);

    @Test
    void shouldLoseNoImageWhenInstancesAreKilledRepeatedlyMidStreamUnderAtLeastOnce()
            throws Exception {
        // Given a first batch of images and an instance in its own JVM, at least once
        Topics topics = Topics.create(kafka, "alos-kills");
        LabelVerifier verifier = new LabelVerifier(kafka, topics, AWAIT);
        resources.add(verifier);
        SpecificAvroSerde<ImageEvent> serde = IntegrationFixtures.imageSerde(registry.url());
        List<String> images = new ArrayList<>();
        produceBatch(serde, topics, 0, images);
        child = startInstance(topics, 0);

        // When the instance is killed at 10%, 25%, 40%, 55% and 70% of the labels, the next
        // batch arrives while none runs, and a replacement starts each time
        for (int kill = 0; kill < KILL_AT.length; kill++) {
            int threshold = (int) Math.ceil(KILL_AT[kill] * IMAGES);
            Process victim = child;
            verifier.pollUntil(
                    () -> verifier.labels.size() >= threshold,
                    threshold + " labels before kill " + (kill + 1),
                    victim,
                    IntegrationFixtures.childLog(dir, name(kill)));
            victim.destroyForcibly();
            assertThat(victim.waitFor(30, TimeUnit.SECONDS)).as("instance killed").isTrue();
            log.info(
                    "kill {}: instance {} killed with {} of {} produced images labelled",
                    kill + 1,
                    name(kill),
                    verifier.labels.size(),
                    images.size());
            produceBatch(serde, topics, kill + 1, images);
            child = startInstance(topics, kill + 1);
        }

        // Then, once the last instance has caught up, every image has at least one label
        // (duplicates are allowed under at least once, and counted)
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!verifier.labels.keySet().containsAll(images) && System.nanoTime() < deadline) {
            assertThat(child.isAlive()).as("last instance alive").isTrue();
            verifier.pollQuietly(Duration.ofMillis(500));
        }
        verifier.pollQuietly(Duration.ofSeconds(1));
        List<String> lost = images.stream().filter(id -> !verifier.labels.containsKey(id)).toList();
        Map<String, Integer> duplicates = verifier.duplicateLabels();
        int extraLabels = duplicates.values().stream().mapToInt(count -> count - 1).sum();
        log.info(
                "{} kills: {} of {} images labelled, {} lost, {} labelled more than once ({}"
                        + " extra labels)",
                KILL_AT.length,
                verifier.labels.size(),
                IMAGES,
                lost.size(),
                duplicates.size(),
                extraLabels);
        assertThat(lost)
                .as(
                        "images without a label after %d kills (%d images labelled more than"
                                + " once, %d extra labels)",
                        KILL_AT.length, duplicates.size(), extraLabels)
                .isEmpty();
        assertThat(verifier.labels).containsOnlyKeys(images);
        assertThat(verifier.deadLetters).isEmpty();
    }

    /** Produces batch {@code index}: {@link #BATCH} good images named {@code b<index>-<i>}. */
    private static void produceBatch(
            SpecificAvroSerde<ImageEvent> serde, Topics topics, int index, List<String> images) {
        IntegrationFixtures.produce(
                kafka,
                topics.images(),
                IntegrationFixtures.goodImages(serde, topics.images(), "b" + index, BATCH, images));
    }

    /**
     * Starts instance {@code index} in a new JVM: the even ones on the state directory they share,
     * the odd ones on a fresh one each.
     */
    private Process startInstance(Topics topics, int index) throws Exception {
        Path state = dir.resolve(index % 2 == 0 ? "state-reused" : "state-fresh-" + index);
        return IntegrationFixtures.startChild(
                dir,
                name(index),
                IntegrationFixtures.settings(
                        kafka, registry.url(), bundle, topics, "at_least_once", state));
    }

    private static String name(int index) {
        return "instance-" + index;
    }
}
