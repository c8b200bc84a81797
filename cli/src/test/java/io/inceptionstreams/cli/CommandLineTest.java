package io.inceptionstreams.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.ImageReference;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.registry.server.EmbeddedSchemaRegistry;
import io.inceptionstreams.schemas.serde.AvroDeserializer;
import io.inceptionstreams.schemas.serde.AvroSerializer;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.config.ClassifierConfig;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's contract: exit codes, one-line errors that say what and where, and the produce
 * and consume tools against a real broker and registry.
 */
@Timeout(120)
class CommandLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;
    private static EmbeddedKafkaCluster kafka;
    private static EmbeddedSchemaRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafkaCluster.start();
        registry = new EmbeddedSchemaRegistry().start();
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
        kafka.close();
    }

    /** Topics of one test, each with two partitions. */
    private static String[] topics(String prefix) throws Exception {
        String[] names = {prefix + "-images", prefix + "-labels", prefix + "-dlq"};
        kafka.createTopics(2, names);
        return names;
    }

    private static String[] connection(String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "-b", kafka.bootstrapServers(),
                                "-r", registry.url(),
                                "--set", ClassifierConfig.STARTUP_TIMEOUT_MS + "=5000"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static String[] command(String name, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = name;
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }

    @Test
    void shouldExitWithTwoAndNameTheOptionOnAnUnknownFlag() {
        CommandResult result = CommandResult.run("run", "--bogus");

        assertThat(result.exitCode()).isEqualTo(InceptionStreams.EXIT_USAGE);
        assertThat(result.errLines())
                .containsExactly(
                        "error: Unknown option: '--bogus'",
                        "Possible solutions: --bootstrap-servers",
                        "Try 'inception-streams run --help' for its options.");
    }

    @Test
    void shouldExitWithTwoAndNameTheKeyOnABadConfigurationValue() {
        CommandResult result = CommandResult.run("run", "--set", "max.batch.size=0");

        assertThat(result.exitCode()).isEqualTo(InceptionStreams.EXIT_USAGE);
        assertThat(result.err()).contains("max.batch.size", "0", "override");
    }

    @Test
    void shouldExitWithTwoBeforeTrainingOnAnOutOfRangeTrainingSetting() {
        CommandResult result = CommandResult.run("train", "--decoupled-weight-decay", "2000");

        assertThat(result.exitCode()).isEqualTo(InceptionStreams.EXIT_USAGE);
        assertThat(result.err()).contains("decoupled weight decay must be >= 0");
    }

    @Test
    void shouldExitWithTwoOnAMalformedDuration() {
        CommandResult result = CommandResult.run("consume", "--timeout", "soon");

        assertThat(result.exitCode()).isEqualTo(InceptionStreams.EXIT_USAGE);
        assertThat(result.err()).contains("--timeout", "'soon' is not a duration");
    }

    @Test
    void shouldGiveUpOnAnUnreachableBrokerWithinTheStartupTimeout() {
        CommandResult result =
                CommandResult.run(
                        "run",
                        "-b",
                        "127.0.0.1:1",
                        "--set",
                        "startup.timeout.ms=1500",
                        "--http-port",
                        "-1");

        assertFailsWithOneLine(result, "error: cannot reach Kafka at 127.0.0.1:1 within 1500 ms");
    }

    @Test
    void shouldNameTheMissingTopics() {
        String[] missing = {"nowhere-images", "nowhere-labels", "nowhere-dlq"};

        CommandResult result = runService(registry.url(), missing);

        assertFailsWithOneLine(
                result,
                "error: missing topic(s) [nowhere-dlq, nowhere-images, nowhere-labels] on"
                        + " Kafka at "
                        + kafka.bootstrapServers());
    }

    @Test
    void shouldSayWhenTheRegistryCannotBeReached() throws Exception {
        CommandResult result = runService("http://127.0.0.1:1", topics("no-registry"));

        assertFailsWithOneLine(
                result, "error: cannot use the schema registry at http://127.0.0.1:1: ");
    }

    @Test
    void shouldSayWhichModelBundleIsMissing() throws Exception {
        Path missing = dir.resolve("no-such-bundle");

        CommandResult result =
                runService(
                        registry.url(), topics("no-bundle"), "--model-bundle", missing.toString());

        assertFailsWithOneLine(result, "error: cannot load model bundle '" + missing + "'");
    }

    /** Exit code 1 and a single line on standard error, starting with {@code error}. */
    private static void assertFailsWithOneLine(CommandResult result, String error) {
        assertThat(result.exitCode()).isEqualTo(InceptionStreams.EXIT_FAILURE);
        assertThat(result.errLines()).singleElement().asString().startsWith(error);
    }

    /** {@code run} on the test broker with these topics, the registry at {@code registryUrl}. */
    private static CommandResult runService(String registryUrl, String[] topics, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "run",
                                "-b",
                                kafka.bootstrapServers(),
                                "-r",
                                registryUrl,
                                "--set",
                                "startup.timeout.ms=1500",
                                "--set",
                                "images.topic=" + topics[0],
                                "--set",
                                "labels.topic=" + topics[1],
                                "--set",
                                "dlq.topic=" + topics[2],
                                "--http-port",
                                "-1"));
        args.addAll(List.of(more));
        return CommandResult.run(args.toArray(String[]::new));
    }

    @Test
    void shouldSendEveryImageOfADirectoryAndReportAndSkipTheRest() throws Exception {
        // Given a directory with two images, one nested, a text file, and a large image
        String[] topics = topics("produce");
        Files.createDirectories(dir.resolve("images/nested"));
        byte[] png = TestImages.samples().get(0).bytes();
        byte[] other = TestImages.samples().get(1).bytes();
        Files.write(dir.resolve("images/a.png"), png);
        Files.write(dir.resolve("images/nested/b.png"), other);
        Files.writeString(dir.resolve("images/notes.txt"), "not an image");
        Files.write(dir.resolve("images/large.png"), largePng(png, other.length));

        CommandResult result =
                CommandResult.run(
                        command(
                                "produce",
                                connection(
                                        dir.resolve("images").toString(),
                                        "--topic",
                                        topics[0],
                                        "--label",
                                        "Ankle boot",
                                        "--inline-limit",
                                        Integer.toString(Math.max(png.length, other.length)))));

        // Then the text file is reported and skipped, the rest sent, and the exit code says so
        assertThat(result.exitCode()).as(result.err()).isEqualTo(InceptionStreams.EXIT_FAILURE);
        assertThat(result.out())
                .contains(
                        "sent 3 images to topic '"
                                + topics[0]
                                + "' (2 inline, 1 by file reference)");
        assertThat(result.err()).contains("notes.txt: not an image");
        Map<String, ImageEvent> sent = readImages(topics[0], 3);
        assertThat(sent).containsOnlyKeys("a.png", "nested/b.png", "large.png");
        assertThat(sent.get("a.png").getImage()).isEqualTo(ByteBuffer.wrap(png));
        assertThat(sent.get("a.png").getAttributes()).containsEntry("label", "Ankle boot");
        ImageReference reference = (ImageReference) sent.get("large.png").getImage();
        assertThat(reference.getUri())
                .isEqualTo(dir.resolve("images/large.png").toRealPath().toUri().toString());
        assertThat(reference.getSizeBytes()).isEqualTo(Files.size(dir.resolve("images/large.png")));
        assertThat(reference.getSha256()).hasSize(64);
    }

    @Test
    void shouldPrintLabelsAsJsonLinesAndAsATableWithTheRunningAccuracy() throws Exception {
        String[] topics = topics("consume");
        try (AvroSerializer<LabelEvent> serializer = new AvroSerializer<>();
                KafkaProducer<String, byte[]> producer = rawProducer()) {
            serializer.configure(
                    Map.of(ClassifierConfig.SCHEMA_REGISTRY_URL, registry.url()), false);
            String[][] events = {{"img-1", "Trouser", "Trouser"}, {"img-2", "Bag", "Sneaker"}};
            for (String[] event : events) {
                LabelEvent label = TestLabels.label(event[0], event[1], event[2]);
                producer.send(
                        new ProducerRecord<>(
                                topics[1], event[0], serializer.serialize(topics[1], label)));
            }
        }

        CommandResult json =
                CommandResult.run(
                        command(
                                "consume",
                                connection(
                                        "--topic",
                                        topics[1],
                                        "--from-beginning",
                                        "--json",
                                        "--max",
                                        "2")));
        CommandResult table =
                CommandResult.run(
                        command(
                                "consume",
                                connection(
                                        "--topic",
                                        topics[1],
                                        "--from-beginning",
                                        "--timeout",
                                        "2s")));

        assertThat(json.exitCode()).as(json.err()).isZero();
        List<JsonNode> lines = json.outLines().stream().map(CommandLineTest::parse).toList();
        assertThat(lines)
                .extracting(line -> line.get("image_id").asText())
                .containsExactlyInAnyOrder("img-1", "img-2");
        JsonNode first =
                lines.stream()
                        .filter(l -> l.get("image_id").asText().equals("img-1"))
                        .findFirst()
                        .orElseThrow();
        assertThat(first.get("labels").get(0).get("label").asText()).isEqualTo("Trouser");
        assertThat(first.get("attributes").get("label").asText()).isEqualTo("Trouser");
        assertThat(json.err())
                .contains("2 label events; accuracy 0.500 (1 of 2 with a true label)");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.outLines().get(0)).startsWith("IMAGE");
        assertThat(table.out())
                .contains("2 label events; accuracy 0.500 (1 of 2 with a true label)");
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    /** The PNG followed by zero bytes: still sniffed as a PNG, just larger. */
    private static byte[] largePng(byte[] png, int atLeast) {
        byte[] large = new byte[Math.max(png.length, atLeast) * 2];
        System.arraycopy(png, 0, large, 0, png.length);
        return large;
    }

    private static KafkaProducer<String, byte[]> rawProducer() {
        return new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    private static Map<String, ImageEvent> readImages(String topic, int count) {
        Map<String, ImageEvent> images = new HashMap<>();
        try (AvroDeserializer<ImageEvent> deserializer = new AvroDeserializer<>();
                KafkaConsumer<String, byte[]> consumer =
                        new KafkaConsumer<>(
                                Map.of(
                                        "bootstrap.servers",
                                        kafka.bootstrapServers(),
                                        "group.id",
                                        "reader-" + UUID.randomUUID(),
                                        "auto.offset.reset",
                                        "earliest"),
                                new StringDeserializer(),
                                new org.apache.kafka.common.serialization
                                        .ByteArrayDeserializer())) {
            deserializer.configure(
                    Map.of(
                            ClassifierConfig.SCHEMA_REGISTRY_URL,
                            registry.url(),
                            "specific.avro.reader",
                            true),
                    false);
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (images.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    images.put(record.key(), deserializer.deserialize(topic, record.value()));
                }
            }
        }
        return images;
    }
}
