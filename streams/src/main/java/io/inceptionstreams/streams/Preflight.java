package io.inceptionstreams.streams;

import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import io.inceptionstreams.schemas.registry.SchemaRegistryClientConfig;
import io.inceptionstreams.streams.config.ClassifierConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;

/**
 * Checks, before the service starts, that what it depends on is there: the Kafka cluster and the
 * service's three topics, and the schema registry. Each check gives up after {@link
 * ClassifierConfig#startupTimeout()} with a one-line {@link ServiceStartException}, where Kafka
 * Streams and the serde would otherwise retry for ever or fail later with a stack trace.
 */
public final class Preflight {

    private Preflight() {}

    /** Runs every check; the first failure is thrown. */
    public static void check(ClassifierConfig config) {
        checkKafka(config);
        checkRegistry(config);
    }

    /** The cluster answers and has the images, labels and dead-letter topics. */
    public static void checkKafka(ClassifierConfig config) {
        Duration timeout = config.startupTimeout();
        String where = "Kafka at " + config.bootstrapServers();
        Map<String, Object> props = new HashMap<>(config.clientProperties());
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        Set<String> existing;
        try (Admin admin = Admin.create(props)) {
            existing =
                    admin.listTopics()
                            .names()
                            .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException | KafkaException e) {
            throw new ServiceStartException(
                    "cannot reach "
                            + where
                            + " within "
                            + describe(timeout)
                            + " ("
                            + (e instanceof TimeoutException ? "no answer" : rootMessage(e))
                            + ")",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceStartException("interrupted while connecting to " + where, e);
        }
        Set<String> missing = new TreeSet<>();
        for (String topic :
                List.of(config.imagesTopic(), config.labelsTopic(), config.dlqTopic())) {
            if (!existing.contains(topic)) {
                missing.add(topic);
            }
        }
        if (!missing.isEmpty()) {
            throw new ServiceStartException(
                    "missing topic(s) "
                            + missing
                            + " on "
                            + where
                            + ": create them first (docs/operations.md, 'Topics', shows how)");
        }
    }

    /** The registry answers a subject listing with the configured credentials. */
    public static void checkRegistry(ClassifierConfig config) {
        Map<String, Object> serde = new HashMap<>(config.serdeConfig());
        serde.putIfAbsent(
                SchemaRegistryClientConfig.TOTAL_TIMEOUT_MS,
                (int) Math.min(Integer.MAX_VALUE, config.startupTimeout().toMillis()));
        String url = String.valueOf(serde.get(SchemaRegistryClientConfig.URL));
        try (SchemaRegistryClient registry = SchemaRegistryClient.create(serde)) {
            registry.subjects();
        } catch (RuntimeException e) {
            throw new ServiceStartException(
                    "cannot use the schema registry at " + url + ": " + e.getMessage(), e);
        }
    }

    private static String describe(Duration timeout) {
        return timeout.toMillis() % 1000 == 0
                ? timeout.toSeconds() + " s"
                : timeout.toMillis() + " ms";
    }

    /** The innermost non-empty message of a cause chain: what actually went wrong. */
    static String rootMessage(Throwable error) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                messages.add(t.getMessage());
            }
        }
        return messages.isEmpty() ? error.toString() : messages.get(messages.size() - 1);
    }
}
