package io.inceptionstreams.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.cli.TestLabels;
import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.registry.server.EmbeddedSchemaRegistry;
import io.inceptionstreams.schemas.serde.AvroSerdeConfig;
import io.inceptionstreams.schemas.serde.AvroSerializer;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmarks' label reader on a real broker and registry counts what committed consumers do.
 */
@Timeout(120)
class LabelWatchTest {
    private static final String TOPIC = "labels";

    @Test
    void shouldCountOnlyCommittedLabelsAsAnExactlyOnceConsumerDoes() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start();
                EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry().start()) {
            kafka.createTopics(1, TOPIC);
            Map<String, Object> serde =
                    Map.of(
                            "schema.registry.url",
                            registry.url(),
                            AvroSerdeConfig.SPECIFIC_AVRO_READER,
                            true);
            try (AvroSerializer<LabelEvent> serializer = new AvroSerializer<>();
                    KafkaProducer<String, byte[]> producer =
                            new KafkaProducer<>(
                                    Map.of(
                                            "bootstrap.servers",
                                            kafka.bootstrapServers(),
                                            "transactional.id",
                                            "label-watch-test"),
                                    new StringSerializer(),
                                    new ByteArraySerializer());
                    LabelWatch watch = new LabelWatch(kafka.bootstrapServers(), TOPIC, 1, serde)) {
                serializer.configure(serde, false);
                producer.initTransactions();
                // Given a label written in a transaction that aborts, then one that commits, on
                // one partition (so a reader that does not skip the first sees it first)
                producer.beginTransaction();
                producer.send(record(serializer, "aborted")).get();
                producer.abortTransaction();
                producer.beginTransaction();
                producer.send(record(serializer, "committed")).get();
                producer.commitTransaction();

                // When the watch has counted one label
                watch.await(1, Duration.ofSeconds(60), () -> true);

                // Then it is the committed one; the aborted one never counts
                assertThat(watch.labelOf("committed")).isNotNull();
                assertThat(watch.labelOf("aborted")).isNull();
                assertThat(watch.count()).isEqualTo(1);
            }
        }
    }

    private static ProducerRecord<String, byte[]> record(
            AvroSerializer<LabelEvent> serializer, String imageId) {
        LabelEvent label = TestLabels.label(imageId, "Bag", "Bag");
        return new ProducerRecord<>(TOPIC, imageId, serializer.serialize(TOPIC, label));
    }
}
