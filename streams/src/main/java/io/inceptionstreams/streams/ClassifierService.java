package io.inceptionstreams.streams;

import ai.djl.MalformedModelException;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.engine.AsyncImageClassifier;
import io.inceptionstreams.streams.engine.InferenceEngine;
import io.inceptionstreams.streams.metrics.ClassifierMetrics;
import io.inceptionstreams.streams.rollout.ModelFollower;
import io.inceptionstreams.streams.rollout.ModelLoader;
import io.inceptionstreams.streams.rollout.ModelStatus;
import io.inceptionstreams.streams.topology.ClassifierTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One classifier instance: the configuration's engine, topology and Kafka Streams client, started
 * and closed together, for the command line (and tests) to run.
 */
public final class ClassifierService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClassifierService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration FIRST_REPLACEMENT_DELAY = Duration.ofSeconds(1);
    private static final Duration MAX_REPLACEMENT_DELAY = Duration.ofSeconds(60);

    private final ClassifierConfig config;
    private final AsyncImageClassifier engine;
    private final InferenceEngine ownedEngine;
    private final ClassifierMetrics metrics;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final ModelStatus modelStatus;
    private final ModelFollower follower;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ReplacementBackoff replacementBackoff =
            new ReplacementBackoff(FIRST_REPLACEMENT_DELAY, MAX_REPLACEMENT_DELAY);

    private ClassifierService(
            ClassifierConfig config,
            AsyncImageClassifier engine,
            InferenceEngine ownedEngine,
            ClassifierMetrics metrics) {
        this.config = config;
        this.engine = engine;
        this.ownedEngine = ownedEngine;
        this.metrics = metrics;
        this.streams =
                new KafkaStreams(
                        ClassifierTopology.buildTopology(config, engine, metrics),
                        ClassifierTopology.streamsProperties(config));
        // A failing stream thread (the engine or the cluster failed, not an image) is replaced;
        // its tasks are rebuilt from their changelogged pending stores, so the images are
        // classified again. Replacements back off exponentially, so that a failure that repeats
        // does not spin, and /health turns DOWN when they come too often.
        streams.setUncaughtExceptionHandler(this::replaceThread);
        streams.setStateListener(
                (newState, oldState) -> {
                    if (newState == KafkaStreams.State.ERROR
                            || newState == KafkaStreams.State.NOT_RUNNING) {
                        stopped.countDown();
                    }
                });
        this.streamsMetrics = metrics.bind(streams);
        InferenceEngine followed = ownedEngine;
        this.modelStatus =
                new ModelStatus(
                        new ModelStatus.Running(
                                engine.modelName(),
                                engine.modelVersion(),
                                config.modelBundle(),
                                followed == null ? null : followed.modelActiveSince()));
        // Only an engine the service owns follows the models topic: a shared engine is switched
        // by whoever owns it, not once per service.
        this.follower =
                followed == null || config.modelsTopic().isEmpty()
                        ? null
                        : new ModelFollower(
                                config.modelsTopic(),
                                config.shadowLabelsTopic(),
                                config.clientProperties(),
                                config.serdeConfig(),
                                followed,
                                new ModelLoader(
                                        followed.inputSpec(),
                                        config.device(),
                                        config.topK(),
                                        config.maxBatchSize()),
                                modelStatus,
                                metrics,
                                config.modelBundle());
    }

    private StreamThreadExceptionResponse replaceThread(Throwable exception) {
        metrics.threadReplaced();
        int recent = metrics.threadReplacementsWithin(config.healthThreadReplacementWindow());
        Duration delay = replacementBackoff.delay(recent);
        log.error(
                "stream thread failed ({} replacements in the last {} s); replacing it in {} ms",
                recent,
                config.healthThreadReplacementWindow().toSeconds(),
                delay.toMillis(),
                exception);
        try {
            replacementBackoff.await(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * Checks that Kafka, the topics and the registry are there ({@link Preflight}), opens the
     * configured model in a new engine, owned and closed by the service, and starts.
     *
     * @throws ServiceStartException when a dependency is missing or unreachable, or the model
     *     bundle cannot be read
     */
    public static ClassifierService start(ClassifierConfig config, MeterRegistry registry) {
        Preflight.check(config);
        ClassifierMetrics metrics = new ClassifierMetrics(registry);
        InferenceEngine engine;
        try {
            engine = InferenceEngine.open(config, metrics);
        } catch (IOException | MalformedModelException e) {
            throw new ServiceStartException(
                    "cannot load model bundle '" + config.modelBundle() + "': " + e.getMessage(),
                    e);
        }
        try {
            return new ClassifierService(config, engine, engine, metrics).started();
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /**
     * Starts a service on an engine shared with other services of this JVM (or any other
     * asynchronous classifier); closing the service leaves the engine open.
     */
    public static ClassifierService start(
            ClassifierConfig config, AsyncImageClassifier engine, ClassifierMetrics metrics) {
        return new ClassifierService(config, engine, null, metrics).started();
    }

    private ClassifierService started() {
        streams.start();
        if (follower != null) {
            follower.start();
        }
        return this;
    }

    /**
     * Which model this instance runs and since when, what the models topic asks for, and the last
     * deployment it refused: what {@code /model} reports. Without a followed models topic, only the
     * model it started with.
     */
    public ModelStatus modelStatus() {
        return modelStatus;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Whether the instance is serving, and if not, why: what {@code /health} reports. */
    public record Health(boolean healthy, String detail) {}

    /**
     * Healthy while the Kafka Streams client is {@code RUNNING} or {@code REBALANCING}, the model
     * is loaded and its batch loop alive, and none of the failure signals is past its bound: stream
     * threads replaced more than {@code health.max.thread.replacements} times within {@code
     * health.thread.replacement.window.ms}, an image in flight for longer than {@code
     * health.max.pending.age.ms}, the registry failing for longer than {@code
     * health.max.registry.outage.ms}.
     */
    public Health health() {
        KafkaStreams.State state = streams.state();
        boolean streaming =
                state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
        boolean modelLoaded = engine.isRunning();
        List<String> problems = new ArrayList<>();
        int replacements = metrics.threadReplacementsWithin(config.healthThreadReplacementWindow());
        if (replacements > config.healthMaxThreadReplacements()) {
            problems.add(
                    String.format(
                            "%d stream thread replacements in the last %d s (over %d)",
                            replacements,
                            config.healthThreadReplacementWindow().toSeconds(),
                            config.healthMaxThreadReplacements()));
        }
        Duration oldest = metrics.oldestInFlightAge();
        if (oldest.compareTo(config.healthMaxPendingAge()) > 0) {
            problems.add(
                    String.format(
                            "an image has been in flight for %d s (over %d s)",
                            oldest.toSeconds(), config.healthMaxPendingAge().toSeconds()));
        }
        Duration outage = metrics.registryOutage();
        if (outage.compareTo(config.healthMaxRegistryOutage()) > 0) {
            problems.add(
                    String.format(
                            "the schema registry has been unavailable for %d s (over %d s)",
                            outage.toSeconds(), config.healthMaxRegistryOutage().toSeconds()));
        }
        String detail =
                "kafka streams "
                        + state
                        + ", model "
                        + engine.modelName()
                        + " "
                        + engine.modelVersion()
                        + (modelLoaded ? " loaded" : " not running")
                        + (follower == null ? "" : " (" + modelStatus.summary() + ")")
                        + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
        return new Health(streaming && modelLoaded && problems.isEmpty(), detail);
    }

    /**
     * Blocks until Kafka Streams is {@code RUNNING}: the group has formed and the tasks are
     * assigned and restored.
     *
     * @return true once running; false when it stops or fails instead, or at the timeout
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (KafkaStreams.State state = streams.state();
                state != KafkaStreams.State.RUNNING;
                state = streams.state()) {
            boolean starting =
                    state == KafkaStreams.State.CREATED || state.isRunningOrRebalancing();
            if (!starting || System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * Blocks until the Kafka Streams client has stopped, after {@link #close()} or a fatal error,
     * and returns its final state ({@code NOT_RUNNING} or {@code ERROR}).
     */
    public KafkaStreams.State awaitTermination() throws InterruptedException {
        stopped.await();
        return streams.state();
    }

    /** Stops the stream threads (committing their work), then the engine if the service owns it. */
    @Override
    public void close() {
        if (follower != null) {
            follower.close();
        }
        // A stream thread waiting to be replaced would hold the close up for as long as it waits.
        replacementBackoff.cancel();
        streams.close(CLOSE_TIMEOUT);
        streamsMetrics.close();
        if (ownedEngine != null) {
            ownedEngine.close();
        }
    }
}
