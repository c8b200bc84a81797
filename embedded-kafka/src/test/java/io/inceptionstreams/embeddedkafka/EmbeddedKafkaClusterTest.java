package io.inceptionstreams.embeddedkafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EmbeddedKafkaClusterTest {

    @Test
    @Timeout(120)
    void shouldKeepAcceptingWritesWhileALeaderIsStoppedAndTakeItBackIntoTheIsrAfterItsRestart()
            throws Exception {
        // Given 3 brokers and a topic with 3 replicas, min.insync.replicas 2
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(3);
                Admin admin = kafka.admin();
                KafkaProducer<String, String> producer = producer(kafka)) {
            assertThat(kafka.brokerIds()).containsExactlyInAnyOrder(0, 1, 2);
            kafka.createTopics(1, 3, "t");
            producer.send(new ProducerRecord<>("t", "k", "before")).get(30, TimeUnit.SECONDS);
            int leader = partition(admin).leader().id();

            // When its leader is stopped abruptly
            kafka.stopBroker(leader);

            // Then acks=all writes still succeed, led by another broker, without it in the ISR
            producer.send(new ProducerRecord<>("t", "k", "during")).get(60, TimeUnit.SECONDS);
            TopicPartitionInfo during = partition(admin);
            assertThat(during.leader().id()).isNotEqualTo(leader);
            assertThat(during.isr()).extracting(Node::id).doesNotContain(leader).hasSize(2);

            // And when it is restarted, it is live and rejoins the ISR
            kafka.restartBroker(leader);
            producer.send(new ProducerRecord<>("t", "k", "after")).get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partition(admin).isr().size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(partition(admin).isr()).extracting(Node::id).contains(leader).hasSize(3);
        }
    }

    private static TopicPartitionInfo partition(Admin admin) throws Exception {
        TopicDescription description =
                admin.describeTopics(List.of("t")).allTopicNames().get().get("t");
        return description.partitions().get(0);
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaCluster kafka) {
        return new KafkaProducer<>(
                Map.of(
                        "bootstrap.servers",
                        kafka.bootstrapServers(),
                        "acks",
                        "all",
                        "enable.idempotence",
                        true),
                new StringSerializer(),
                new StringSerializer());
    }
}
