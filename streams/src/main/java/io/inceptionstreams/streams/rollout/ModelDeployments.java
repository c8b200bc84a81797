package io.inceptionstreams.streams.rollout;

import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.schemas.avro.DeploymentMode;
import io.inceptionstreams.schemas.avro.ModelDeployment;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Reads and writes the models topic: what the {@code model deploy}, {@code rollback} and {@code
 * status} commands (and tests) do. A deployment's key is its mode in lower case, so that compaction
 * keeps the latest {@code active} and the latest {@code shadow}.
 *
 * @param clientProperties the cluster's client settings (bootstrap servers, security)
 * @param serdeConfig the schema registry settings
 * @param topic the models topic
 */
public record ModelDeployments(
        Map<String, Object> clientProperties, Map<String, Object> serdeConfig, String topic) {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The key a deployment of {@code mode} is written under. */
    public static String key(DeploymentMode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    /**
     * A deployment of the bundle at {@code location}, with its sha256 computed here and its name
     * and version read from its descriptor ({@code version} overrides the latter when not null).
     */
    public static ModelDeployment of(String location, String version, DeploymentMode mode)
            throws IOException {
        ModelBundle bundle = ModelBundle.open(location);
        return ModelDeployment.newBuilder()
                .setModelName(bundle.descriptor().name())
                .setModelVersion(version == null ? bundle.descriptor().version() : version)
                .setBundleLocation(absolute(location))
                .setBundleSha256(bundle.sha256())
                .setMode(mode)
                .setRequestedAt(Instant.now())
                .build();
    }

    /**
     * A directory as an absolute path (instances do not share this command's working directory).
     */
    static String absolute(String location) {
        if (location.contains(":") || location.equals("default")) {
            return location;
        }
        return Path.of(location).toAbsolutePath().normalize().toString();
    }

    /** Creates the topic (one partition, compacted) unless it exists. */
    public void createIfMissing() throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(clientProperties)) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(topic, Optional.of(1), Optional.empty())
                                            .configs(
                                                    Map.of(
                                                            TopicConfig.CLEANUP_POLICY_CONFIG,
                                                            TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all()
                    .get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    /** Writes {@code deployment} under its mode's key and waits for the broker to take it. */
    public void write(ModelDeployment deployment)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        SpecificAvroSerde<ModelDeployment> serde = new SpecificAvroSerde<>();
        serde.configure(serdeConfig, false);
        try (KafkaProducer<String, ModelDeployment> producer =
                new KafkaProducer<>(props, new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(topic, key(deployment.getMode()), deployment))
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Writes a tombstone under {@code shadow}: the instances stop running a shadow model. */
    public void stopShadow() throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key(DeploymentMode.SHADOW), null))
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Every deployment still on the topic and not withdrawn by a tombstone, in the order written
     * (per key: one key lives on one partition). Records that are not readable deployments are
     * skipped.
     */
    public List<ModelDeployment> history() {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        SpecificAvroSerde<ModelDeployment> serde = new SpecificAvroSerde<>();
        serde.configure(serdeConfig, false);
        List<ModelDeployment> history = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                return history;
            }
            List<TopicPartition> partitions =
                    infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (ends.entrySet().stream()
                    .anyMatch(end -> consumer.position(end.getKey()) < end.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read models topic " + topic + " to its end in " + TIMEOUT);
                }
                for (ConsumerRecord<String, byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        // A tombstone withdraws the deployments of its key.
                        history.removeIf(d -> key(d.getMode()).equals(record.key()));
                        continue;
                    }
                    try {
                        history.add(serde.deserializer().deserialize(topic, record.value()));
                    } catch (RuntimeException e) {
                        // Not a deployment: nothing an instance would run either.
                    }
                }
            }
        }
        return history;
    }

    /** The latest deployment of {@code mode}, if any. */
    public static Optional<ModelDeployment> current(
            List<ModelDeployment> history, DeploymentMode mode) {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).getMode() == mode) {
                return Optional.of(history.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * The active deployment before the current one: the latest earlier one of another version or
     * bundle, so that rolling back twice does not stay put. Empty when the topic keeps none (also
     * once compaction has removed the older records).
     */
    public static Optional<ModelDeployment> previousActive(List<ModelDeployment> history) {
        List<ModelDeployment> active =
                history.stream().filter(d -> d.getMode() == DeploymentMode.ACTIVE).toList();
        if (active.isEmpty()) {
            return Optional.empty();
        }
        ModelDeployment current = active.get(active.size() - 1);
        for (int i = active.size() - 2; i >= 0; i--) {
            ModelDeployment earlier = active.get(i);
            if (!same(earlier, current)) {
                return Optional.of(earlier);
            }
        }
        return Optional.empty();
    }

    /** A copy of {@code deployment} requested now, to write again. */
    public static ModelDeployment again(ModelDeployment deployment) {
        return ModelDeployment.newBuilder()
                .setModelName(deployment.getModelName())
                .setModelVersion(deployment.getModelVersion())
                .setBundleLocation(deployment.getBundleLocation())
                .setBundleSha256(deployment.getBundleSha256())
                .setMode(deployment.getMode())
                .setRequestedAt(Instant.now())
                .build();
    }

    private static boolean same(ModelDeployment a, ModelDeployment b) {
        return a.getModelVersion().toString().equals(b.getModelVersion().toString())
                && a.getBundleSha256().toString().equals(b.getBundleSha256().toString())
                && a.getBundleLocation().toString().equals(b.getBundleLocation().toString());
    }
}
