package io.inceptionstreams.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.streams.config.ClassifierConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsPropertiesTest {

    @Test
    void shouldWireTheKnobsAndTheDeadLetterTopicAndLetKafkaPassThroughWin() {
        // Given knobs Kafka Streams owns and a kafka.* pass-through overriding the poll interval
        ClassifierConfig config =
                ClassifierConfig.of(
                        Map.of(
                                ClassifierConfig.PROCESSING_GUARANTEE,
                                "exactly_once_v2",
                                ClassifierConfig.APPLICATION_ID,
                                "app",
                                "kafka.commit.interval.ms",
                                "250",
                                "kafka.poll.ms",
                                "7"));

        // When the topology's Kafka Streams properties are built
        Properties streams = ClassifierTopology.streamsProperties(config);

        // Then the knobs, the dead-letter wiring and the pass-through are all there
        assertThat(streams)
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "app")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2")
                .containsEntry(
                        StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "images.dlq")
                .containsEntry("commit.interval.ms", "250")
                .containsEntry(StreamsConfig.POLL_MS_CONFIG, "7");
    }

    @Test
    void shouldBoundRocksDbMemoryByDefaultUnlessTurnedOffOrOverridden() {
        // Given the default budget, no budget, and a setter of the user's own
        Properties defaults = ClassifierTopology.streamsProperties(ClassifierConfig.of(Map.of()));
        Properties off =
                ClassifierTopology.streamsProperties(
                        ClassifierConfig.of(Map.of(ClassifierConfig.ROCKSDB_MEMORY_BYTES, "0")));
        Properties own =
                ClassifierTopology.streamsProperties(
                        ClassifierConfig.of(
                                Map.of("kafka.rocksdb.config.setter", "com.example.Setter")));

        // Then the bounded setter and its 128 MiB are there by default, absent when turned off,
        // and the user's setter wins
        assertThat(defaults)
                .containsEntry(
                        StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
                        BoundedRocksDbMemory.class)
                .containsEntry(BoundedRocksDbMemory.MEMORY_BYTES_CONFIG, 128L << 20);
        assertThat(off)
                .doesNotContainKeys(
                        StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
                        BoundedRocksDbMemory.MEMORY_BYTES_CONFIG);
        assertThat(own)
                .containsEntry(
                        StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, "com.example.Setter")
                .doesNotContainKey(BoundedRocksDbMemory.MEMORY_BYTES_CONFIG);
    }
}
