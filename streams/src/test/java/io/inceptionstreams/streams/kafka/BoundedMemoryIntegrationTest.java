package io.inceptionstreams.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.kafka.IntegrationFixtures.Topics;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heap an instance needs is set by its configuration, not by how far behind it is: a backlog of
 * large images several times the heap, produced before the instance starts, is worked off by an
 * instance in its own JVM with a small heap, which parks nearly everything on disk (two images in
 * flight per task), without running out of memory and without its live heap growing as the backlog
 * moves through.
 */
@Timeout(300)
class BoundedMemoryIntegrationTest extends BrokerTest {
    private static final Logger log = LoggerFactory.getLogger(BoundedMemoryIntegrationTest.class);
    private static final int HEAP_MB = 192;
    private static final int IMAGES = 1000;
    private static final int SIDE = 480;

    @Test
    void shouldWorkOffABacklogSeveralTimesTheHeapWithALiveHeapThatDoesNotGrow() throws Exception {
        // Given a backlog of 1000 noise PNGs of about 690 KB each (about 660 MB, 3.4 times the
        // instance's 192 MB heap), produced before any instance runs
        Topics topics = Topics.create(kafka, "bounded-memory");
        byte[] png = noisePng(SIDE);
        List<String> ids = produceBacklog(topics, png);
        long backlogBytes = (long) png.length * IMAGES;

        // When an instance with a 192 MB heap works it off, two images in flight per task, with
        // Kafka Streams' input buffer and the consumer's fetches bounded by its settings
        Map<String, String> settings =
                IntegrationFixtures.settings(
                        kafka,
                        registry.url(),
                        bundle,
                        topics,
                        "at_least_once",
                        dir.resolve("state"));
        settings.put(ClassifierConfig.MAX_IN_FLIGHT_PER_TASK, "2");
        settings.put(ClassifierConfig.MAX_BATCH_SIZE, "4");
        settings.put(ClassifierConfig.IMAGE_MAX_PIXELS, String.valueOf(SIDE * SIDE));
        settings.put(ClassifierConfig.IMAGE_MAX_DECODED_BYTES, String.valueOf(8 << 20));
        settings.put("kafka.buffered.records.per.partition", "8");
        settings.put("kafka.consumer.fetch.max.bytes", String.valueOf(8 << 20));
        LabelVerifier verifier = new LabelVerifier(kafka, topics, Duration.ofSeconds(240));
        resources.add(verifier);
        child =
                IntegrationFixtures.startChild(
                        dir,
                        "small-heap",
                        settings,
                        List.of(
                                "-Xmx" + HEAP_MB + "m",
                                "-XX:+ExitOnOutOfMemoryError",
                                "-D" + ClassifierProcess.REPORT_HEAP_PROPERTY + "=true"));

        // Then every image is labelled, the instance never ran out of memory...
        Path childLog = IntegrationFixtures.childLog(dir, "small-heap");
        verifier.pollUntil(
                () -> verifier.labels.keySet().containsAll(ids),
                "all " + IMAGES + " labels",
                child,
                childLog);
        assertThat(child.isAlive()).as("instance alive (no OutOfMemoryError)").isTrue();
        assertThat(verifier.deadLetters).isEmpty();
        assertThat(Files.readString(childLog)).doesNotContain("OutOfMemoryError");

        // ...and the heap that survives a full collection does not grow as the backlog moves
        // through: the typical (median) live heap late in the run is that of early on. Single
        // samples vary with what the consumer and producers hold at that moment, within bounds
        // set by their settings.
        List<Long> heap = heapAfterGc(childLog);
        assertThat(heap).as("heap samples").hasSizeGreaterThanOrEqualTo(6);
        long early = median(heap.subList(0, heap.size() / 3));
        long late = median(heap.subList(heap.size() * 2 / 3, heap.size()));
        long max = heap.stream().mapToLong(Long::longValue).max().orElseThrow();
        log.info(
                "backlog {} MB through a {} MB heap: median live heap after GC early {} MB, late"
                        + " {} MB, max {} MB ({} samples)",
                backlogBytes >> 20,
                HEAP_MB,
                early >> 20,
                late >> 20,
                max >> 20,
                heap.size());
        assertThat(backlogBytes).isGreaterThan(3L * HEAP_MB << 20);
        assertThat(late).as("median live heap, late vs early").isLessThan(early + (32L << 20));
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private List<String> produceBacklog(Topics topics, byte[] png) {
        SpecificAvroSerde<ImageEvent> serde = IntegrationFixtures.imageSerde(registry.url());
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = IntegrationFixtures.producer(kafka)) {
            for (int i = 0; i < IMAGES; i++) {
                String id = "big-" + i;
                ids.add(id);
                producer.send(
                        new ProducerRecord<>(
                                topics.images(),
                                id.getBytes(StandardCharsets.UTF_8),
                                serde.serializer()
                                        .serialize(
                                                topics.images(),
                                                TestImages.inline(id, png, "image/png"))));
            }
            producer.flush();
        }
        return ids;
    }

    /** An RGB PNG of random pixels: incompressible, so its size is about 3 bytes a pixel. */
    private static byte[] noisePng(int side) throws Exception {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static List<Long> heapAfterGc(Path childLog) throws Exception {
        return Files.readAllLines(childLog).stream()
                .filter(line -> line.startsWith(ClassifierProcess.HEAP_LINE))
                .map(line -> Long.parseLong(line.substring(ClassifierProcess.HEAP_LINE.length())))
                .toList();
    }
}
