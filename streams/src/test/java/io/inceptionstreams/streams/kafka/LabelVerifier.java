package io.inceptionstreams.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.streams.kafka.IntegrationFixtures.Topics;
import io.inceptionstreams.streams.topology.DeadLetters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;

/**
 * Reads one test's labels and dead letters, committed data only, counting each image id: what the
 * broker-backed tests assert on.
 */
final class LabelVerifier implements AutoCloseable {
    /** Kafka's DLQ header with the exception message (KIP-1034), which the service writes too. */
    static final String EXCEPTION_MESSAGE_HEADER = "__streams.errors.message";

    private static final Pattern SCALE_ID = Pattern.compile("p(\\d+)-(\\d+)");
    private final Topics topics;
    private final Duration await;
    private final KafkaConsumer<String, byte[]> consumer;

    /** Image id -> how many labels it has. */
    final Map<String, Integer> labels = new TreeMap<>();

    /** Image id -> the reason of its (last) dead letter. */
    final Map<String, String> deadLetters = new TreeMap<>();

    /** Image id -> the exception message of its (last) dead letter. */
    final Map<String, String> deadLetterMessages = new TreeMap<>();

    final List<String> duplicateDeadLetters = new ArrayList<>();

    /** "output partition / input partition" -> input sequence numbers, in output order. */
    final Map<String, List<Integer>> sequences = new TreeMap<>();

    /** A verifier whose {@link #pollUntil} waits at most {@code await}. */
    LabelVerifier(EmbeddedKafkaCluster kafka, Topics topics, Duration await) {
        this.topics = topics;
        this.await = await;
        consumer = IntegrationFixtures.committedReader(kafka, topics);
    }

    /** Reads until {@code condition} holds, failing after the await time. */
    void pollUntil(BooleanSupplier condition, String what) {
        pollUntil(condition, what, null, null);
    }

    /**
     * Reads until {@code condition} holds, failing after the await time or, with its log's tail, as
     * soon as {@code process} (when not null) has exited.
     */
    void pollUntil(BooleanSupplier condition, String what, Process process, Path processLog) {
        long deadline = System.nanoTime() + await.toNanos();
        while (!condition.getAsBoolean()) {
            if (process != null && !process.isAlive()) {
                throw new AssertionError(
                        "classifier process exited with "
                                + process.exitValue()
                                + " waiting for "
                                + what
                                + "; its log:\n"
                                + tail(processLog));
            }
            assertThat(System.nanoTime())
                    .as(
                            "%s within %s: %d labels, %d dead letters",
                            what, await, labels.size(), deadLetters.size())
                    .isLessThan(deadline);
            poll();
        }
    }

    /** Reads on for {@code quiet}, so that a duplicate following the last record shows. */
    void pollQuietly(Duration quiet) {
        long until = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < until) {
            poll();
        }
    }

    /** Image id -> number of labels, for the images labelled more than once. */
    Map<String, Integer> duplicateLabels() {
        Map<String, Integer> duplicates = new TreeMap<>();
        labels.forEach(
                (id, count) -> {
                    if (count > 1) {
                        duplicates.put(id, count);
                    }
                });
        return duplicates;
    }

    private void poll() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            if (record.topic().equals(topics.labels())) {
                labels.merge(record.key(), 1, Integer::sum);
                Matcher id = SCALE_ID.matcher(record.key());
                if (id.matches()) {
                    sequences
                            .computeIfAbsent(
                                    record.partition() + "/" + id.group(1),
                                    key -> new ArrayList<>())
                            .add(Integer.parseInt(id.group(2)));
                }
            } else {
                String key = record.key() == null ? "(no key)" : record.key();
                if (deadLetters.put(key, header(record, DeadLetters.REASON_HEADER)) != null) {
                    duplicateDeadLetters.add(key);
                }
                deadLetterMessages.put(key, header(record, EXCEPTION_MESSAGE_HEADER));
            }
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null
                ? "(no " + name + " header)"
                : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String tail(Path log) {
        if (log == null) {
            return "(no log)";
        }
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
