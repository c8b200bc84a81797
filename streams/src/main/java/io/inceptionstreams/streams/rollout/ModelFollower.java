package io.inceptionstreams.streams.rollout;

import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.schemas.avro.DeploymentMode;
import io.inceptionstreams.schemas.avro.ModelDeployment;
import io.inceptionstreams.schemas.serde.SpecificAvroSerde;
import io.inceptionstreams.streams.engine.InferenceEngine;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.inceptionstreams.streams.topology.SourceImageSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the models topic for one engine: reads it from the beginning (its own consumer, no group,
 * so every instance sees every record), and whenever the latest {@code active} deployment differs
 * from what the engine runs, loads it in this thread (verify, load, warm: {@link ModelLoader}) and
 * asks the engine to switch at its next batch boundary. A refused deployment leaves the engine's
 * model active: one log line, the {@code inception.model.refusals} counter, and {@link
 * ModelStatus#lastRefusal()}. Nothing the topic holds stops the instance; Kafka errors are retried.
 */
public final class ModelFollower implements AutoCloseable {
    public static final String ACTIVE_KEY = "active";
    public static final String SHADOW_KEY = "shadow";

    private static final Logger log = LoggerFactory.getLogger(ModelFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofSeconds(2);
    private static final Duration SWITCH_TIMEOUT = Duration.ofSeconds(60);

    private final String topic;
    private final String shadowLabelsTopic;
    private final Map<String, Object> consumerProperties;
    private final Deserializer<ModelDeployment> deserializer;
    private final InferenceEngine engine;
    private final ModelLoader loader;
    private final ModelStatus status;
    private final ClassifierMetrics metrics;
    private final String initialLocation;
    private final Thread thread;
    private final Map<String, ModelDeployment> latest = new HashMap<>();
    private volatile boolean closed;
    private volatile KafkaConsumer<String, byte[]> consumer;

    /** The last active deployment acted on, as a value (Avro's equals may resolve classes). */
    private String handled;

    /** The last shadow deployment acted on; empty for none. */
    private String handledShadow = "";

    private String activeSha256;

    /**
     * A follower of {@code topic} for {@code engine}, not yet started.
     *
     * @param clientProperties the cluster's client settings (bootstrap servers, security)
     * @param serdeConfig the schema registry settings the deployments are read with
     * @param initialLocation the bundle the engine was opened with, whose deployment needs no
     *     switch
     */
    public ModelFollower(
            String topic,
            String shadowLabelsTopic,
            Map<String, Object> clientProperties,
            Map<String, Object> serdeConfig,
            InferenceEngine engine,
            ModelLoader loader,
            ModelStatus status,
            ClassifierMetrics metrics,
            String initialLocation) {
        this.topic = topic;
        this.shadowLabelsTopic = shadowLabelsTopic;
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "model-follower-" + topic);
        this.consumerProperties = props;
        SpecificAvroSerde<ModelDeployment> serde = new SpecificAvroSerde<>();
        serde.configure(serdeConfig, false);
        this.deserializer = serde.deserializer();
        this.engine = engine;
        this.loader = loader;
        this.status = status;
        this.metrics = metrics;
        this.initialLocation = initialLocation;
        this.thread = new Thread(this::run, "model-follower");
        thread.setDaemon(true);
    }

    public ModelFollower start() {
        thread.start();
        return this;
    }

    public ModelStatus status() {
        return status;
    }

    private void run() {
        activeSha256 = initialSha256();
        while (!closed) {
            try (KafkaConsumer<String, byte[]> client =
                    new KafkaConsumer<>(
                            consumerProperties,
                            new StringDeserializer(),
                            new ByteArrayDeserializer())) {
                consumer = client;
                if (closed) {
                    return;
                }
                follow(client);
            } catch (WakeupException e) {
                return;
            } catch (RegistryUnavailable e) {
                log.warn(
                        "cannot read models topic {}: the schema registry is unavailable ({});"
                                + " reading it again in {} s",
                        topic,
                        e.getCause().getMessage(),
                        RETRY.toSeconds());
                pause(RETRY);
            } catch (KafkaException e) {
                log.warn(
                        "following models topic {} failed; retrying in {} s",
                        topic,
                        RETRY.toSeconds(),
                        e);
                pause(RETRY);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("model follower failed; retrying in {} s", RETRY.toSeconds(), e);
                pause(RETRY);
            }
        }
    }

    private void follow(KafkaConsumer<String, byte[]> client) throws InterruptedException {
        List<TopicPartition> partitions = List.of();
        while (partitions.isEmpty()) {
            if (closed) {
                return;
            }
            List<PartitionInfo> infos = client.partitionsFor(topic, Duration.ofSeconds(10));
            partitions =
                    infos == null
                            ? List.of()
                            : infos.stream()
                                    .map(info -> new TopicPartition(topic, info.partition()))
                                    .toList();
            if (partitions.isEmpty()) {
                log.debug("models topic {} does not exist yet", topic);
                Thread.sleep(RETRY.toMillis());
            }
        }
        client.assign(partitions);
        client.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = client.endOffsets(partitions);
        boolean caughtUp = false;
        while (!closed) {
            for (ConsumerRecord<String, byte[]> record : client.poll(POLL)) {
                read(record);
            }
            if (!caughtUp) {
                // The history is read to its end first: only the latest deployment counts.
                caughtUp =
                        ends.entrySet().stream()
                                .allMatch(end -> client.position(end.getKey()) >= end.getValue());
            }
            if (caughtUp) {
                reconcile();
                reconcileShadow(client);
            }
        }
    }

    private void read(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            latest.remove(record.key());
            return;
        }
        try {
            latest.put(record.key(), deserializer.deserialize(topic, record.value()));
        } catch (RuntimeException e) {
            if (SourceImageSerde.isTransient(e)) {
                // Says nothing about the record: read the topic again once the registry answers.
                throw new RegistryUnavailable(e);
            }
            refuse(
                    "?",
                    "?",
                    new DeploymentRefusedException(
                            RefusalReason.UNREADABLE_RECORD,
                            String.format(
                                    "record %s-%d offset %d is not a ModelDeployment: %s",
                                    record.topic(),
                                    record.partition(),
                                    record.offset(),
                                    e.getMessage()),
                            e));
        }
    }

    /** Brings the engine to the latest active deployment, unless it was already handled. */
    private void reconcile() {
        ModelDeployment wanted = latest.get(ACTIVE_KEY);
        if (wanted == null || wanted.toString().equals(handled)) {
            return;
        }
        handled = wanted.toString();
        String name = wanted.getModelName().toString();
        String version = wanted.getModelVersion().toString();
        String sha256 = wanted.getBundleSha256().toString().strip().toLowerCase();
        status.desired(
                new ModelStatus.Running(
                        name,
                        version,
                        wanted.getBundleLocation().toString(),
                        wanted.getRequestedAt()));
        if (wanted.getMode() != DeploymentMode.ACTIVE) {
            refuse(
                    name,
                    version,
                    new DeploymentRefusedException(
                            RefusalReason.UNREADABLE_RECORD,
                            "the record under key active has mode " + wanted.getMode()));
            return;
        }
        if (version.equals(engine.modelVersion()) && sha256.equals(activeSha256)) {
            log.info("model {} {} is already active", name, version);
            return;
        }
        log.info("loading model {} {} from {}", name, version, wanted.getBundleLocation());
        ImageClassifier next;
        try {
            next = loader.load(wanted);
        } catch (DeploymentRefusedException e) {
            refuse(name, version, e);
            return;
        }
        try {
            Instant since =
                    engine.switchTo(next, name, version)
                            .get(SWITCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            activeSha256 = sha256;
            status.activated(
                    new ModelStatus.Running(
                            name, version, wanted.getBundleLocation().toString(), since));
        } catch (IllegalArgumentException e) {
            next.close();
            refuse(
                    name,
                    version,
                    new DeploymentRefusedException(RefusalReason.INPUT_SHAPE, e.getMessage(), e));
        } catch (ExecutionException | TimeoutException e) {
            log.warn("model {} {} did not take over: {}", name, version, e.getMessage());
            handled = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts, replaces or stops the shadow model as the latest shadow deployment says. */
    private void reconcileShadow(KafkaConsumer<String, byte[]> client) {
        ModelDeployment wanted = latest.get(SHADOW_KEY);
        String fingerprint = wanted == null ? "" : wanted.toString();
        if (fingerprint.equals(handledShadow)) {
            return;
        }
        handledShadow = fingerprint;
        try {
            if (wanted == null) {
                engine.switchShadowTo(null, null, null)
                        .get(SWITCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                status.shadow(null);
                return;
            }
            String name = wanted.getModelName().toString();
            String version = wanted.getModelVersion().toString();
            if (wanted.getMode() != DeploymentMode.SHADOW) {
                refuse(
                        name,
                        version,
                        new DeploymentRefusedException(
                                RefusalReason.UNREADABLE_RECORD,
                                "the record under key shadow has mode " + wanted.getMode()));
                return;
            }
            List<PartitionInfo> partitions =
                    client.partitionsFor(shadowLabelsTopic, Duration.ofSeconds(10));
            if (partitions == null || partitions.isEmpty()) {
                refuse(
                        name,
                        version,
                        new DeploymentRefusedException(
                                RefusalReason.SHADOW_TOPIC_MISSING,
                                "shadow.labels.topic "
                                        + shadowLabelsTopic
                                        + " does not exist: create it, then deploy again"));
                return;
            }
            log.info(
                    "loading shadow model {} {} from {}",
                    name,
                    version,
                    wanted.getBundleLocation());
            ImageClassifier next;
            try {
                next = loader.load(wanted);
            } catch (DeploymentRefusedException e) {
                refuse(name, version, e);
                return;
            }
            Instant since =
                    engine.switchShadowTo(next, name, version)
                            .get(SWITCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            status.shadow(
                    new ModelStatus.Running(
                            name, version, wanted.getBundleLocation().toString(), since));
        } catch (ExecutionException | TimeoutException e) {
            log.warn("the shadow deployment did not take effect: {}", e.getMessage());
            handledShadow = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void refuse(String name, String version, DeploymentRefusedException refusal) {
        log.warn(
                "refused model {} {} ({}): {}; model {} {} stays active",
                name,
                version,
                refusal.reason(),
                refusal.getMessage(),
                engine.modelName(),
                engine.modelVersion());
        metrics.modelRefused(refusal.reason().name());
        status.refused(
                new ModelStatus.Refusal(
                        name, version, refusal.reason(), refusal.getMessage(), Instant.now()));
    }

    private String initialSha256() {
        try {
            return ModelBundle.open(initialLocation).sha256();
        } catch (Exception e) {
            // A model-zoo bundle has no files to hash: any deployment replaces it.
            return null;
        }
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private static final class RegistryUnavailable extends RuntimeException {
        RegistryUnavailable(RuntimeException cause) {
            super(cause);
        }
    }

    /** Stops following; a model being loaded is closed unused. The engine stays open. */
    @Override
    public void close() {
        closed = true;
        KafkaConsumer<String, byte[]> client = consumer;
        if (client != null) {
            client.wakeup();
        }
        try {
            thread.join(SWITCH_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
