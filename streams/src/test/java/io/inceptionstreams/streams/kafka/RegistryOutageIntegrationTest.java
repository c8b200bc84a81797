package io.inceptionstreams.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import io.inceptionstreams.schemas.registry.SchemaRegistryClientConfig;
import io.inceptionstreams.schemas.serde.ConfluentWireFormat;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.ClassifierService;
import io.inceptionstreams.streams.TcpProxy;
import io.inceptionstreams.streams.TestImages;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.kafka.IntegrationFixtures.Topics;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The service while its schema registry is unreachable: one in-process broker, the embedded
 * registry over HTTP, reached by the instance through a {@link TcpProxy} that the test cuts. A
 * record whose schema cannot be fetched because the registry does not answer is kept and read again
 * once it does, never dead-lettered.
 */
@Timeout(120)
class RegistryOutageIntegrationTest extends BrokerTest {
    private static final Duration AWAIT = Duration.ofSeconds(60);
    // The instance's registry client gives up on a call after 2 retries within 3 s...
    private static final Map<String, String> FAST_GIVING_UP_CLIENT =
            Map.of(
                    "serde." + SchemaRegistryClientConfig.CONNECT_TIMEOUT_MS, "1000",
                    "serde." + SchemaRegistryClientConfig.REQUEST_TIMEOUT_MS, "1000",
                    "serde." + SchemaRegistryClientConfig.MAX_RETRIES, "2",
                    "serde." + SchemaRegistryClientConfig.RETRY_BACKOFF_MS, "100",
                    "serde." + SchemaRegistryClientConfig.TOTAL_TIMEOUT_MS, "3000");
    // ...so an outage of 12 s outlasts its retries several times over.
    private static final Duration OUTAGE = Duration.ofSeconds(12);

    @Test
    void shouldLabelImagesOfASchemaVersionNewDuringARegistryOutageExactlyOnceWithoutDeadLetters()
            throws Exception {
        // Given an instance under exactly once that reaches the registry through a proxy, and
        // has classified images of the first ImageEvent schema (so it holds that schema)
        Topics topics = Topics.create(kafka, "registry-outage");
        TcpProxy proxy = TcpProxy.start("127.0.0.1", registry.port());
        resources.add(proxy);
        LabelVerifier verifier = new LabelVerifier(kafka, topics, AWAIT);
        resources.add(verifier);
        Map<String, String> settings =
                IntegrationFixtures.settings(
                        kafka,
                        "http://" + proxy.address(),
                        bundle,
                        topics,
                        "exactly_once_v2",
                        dir.resolve("state"));
        settings.putAll(FAST_GIVING_UP_CLIENT);
        // The stream thread may wait for the registry longer than the fixtures' 5 s transactions;
        // a transaction aborted on time-out is not what this test is about.
        settings.put("kafka.transaction.timeout.ms", "30000");
        resources.add(
                ClassifierService.start(
                        ClassifierConfig.of(settings),
                        IntegrationFixtures.engine(bundle, dir, 8),
                        new ClassifierMetrics(new SimpleMeterRegistry())));
        SpecificAvroSerde<ImageEvent> serde = IntegrationFixtures.imageSerde(registry.url());
        List<String> images = new ArrayList<>();
        IntegrationFixtures.produce(
                kafka,
                topics.images(),
                IntegrationFixtures.goodImages(serde, topics.images(), "before", 20, images));
        verifier.pollUntil(() -> verifier.labels.size() >= 20, "labels before the outage");

        // When the registry becomes unreachable for the instance (connections accepted, never
        // answered), a second version of the schema is registered, images written with it
        // arrive, and the registry stays away for longer than the client's retries...
        proxy.cut(TcpProxy.Cut.BLACKHOLE);
        int version2 = registerVersion2(topics);
        IntegrationFixtures.produce(
                kafka,
                topics.images(),
                version2Images(serde, topics, version2, "during", 15, images));
        verifier.pollQuietly(OUTAGE);

        // ...then it is back, and more such images arrive
        proxy.restore();
        IntegrationFixtures.produce(
                kafka,
                topics.images(),
                version2Images(serde, topics, version2, "after", 5, images));
        verifier.pollUntil(
                () ->
                        images.stream()
                                .allMatch(
                                        id ->
                                                verifier.labels.containsKey(id)
                                                        || verifier.deadLetters.containsKey(id)),
                "a label or dead letter for every image");
        verifier.pollQuietly(Duration.ofSeconds(1));

        // Then no image is dead-lettered (the registry's absence is no fault of the records)...
        Map<String, String> deadLetters = new TreeMap<>();
        verifier.deadLetters.forEach(
                (id, reason) ->
                        deadLetters.put(id, reason + ": " + verifier.deadLetterMessages.get(id)));
        assertThat(deadLetters).as("dead-lettered images (reason: message)").isEmpty();

        // ...and, reading committed data, every image has exactly one label
        assertThat(verifier.labels).containsOnlyKeys(images);
        assertThat(verifier.duplicateLabels()).as("images labelled more than once").isEmpty();
    }

    /**
     * Registers, directly (not through the proxy), version 2 of the image topic's value schema:
     * ImageEvent with one more optional field with a default, a BACKWARD-compatible change.
     */
    private static int registerVersion2(Topics topics) {
        try (SchemaRegistryClient client =
                SchemaRegistryClient.create(
                        Map.of(SchemaRegistryClientConfig.URL, registry.url()))) {
            return client.register(topics.images() + "-value", version2());
        }
    }

    private static Schema version2() {
        Schema version1 = ImageEvent.SCHEMA$;
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : version1.getFields()) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        fields.add(
                new Schema.Field(
                        "source",
                        SchemaBuilder.unionOf().nullType().and().stringType().endUnion(),
                        "Where the image was taken (added in version 2).",
                        Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord(
                version1.getName(), version1.getDoc(), version1.getNamespace(), false, fields);
    }

    /**
     * {@code count} good images written with schema {@code version2}, named {@code <prefix>-<i>},
     * their ids added to {@code ids}. Avro's binary encoding is the fields in order, so a version-1
     * body followed by branch 0 (null) of the new last field is a version-2 body.
     */
    private static List<ProducerRecord<byte[], byte[]>> version2Images(
            SpecificAvroSerde<ImageEvent> serde,
            Topics topics,
            int version2,
            String prefix,
            int count,
            List<String> ids) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + i;
            ids.add(id);
            byte[] version1 =
                    serde.serializer().serialize(topics.images(), TestImages.sample(id, i));
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.writeBytes(ConfluentWireFormat.header(version2));
            frame.writeBytes(
                    Arrays.copyOfRange(
                            version1, ConfluentWireFormat.HEADER_LENGTH, version1.length));
            frame.write(0);
            records.add(
                    new ProducerRecord<>(
                            topics.images(),
                            id.getBytes(StandardCharsets.UTF_8),
                            frame.toByteArray()));
        }
        return records;
    }
}
