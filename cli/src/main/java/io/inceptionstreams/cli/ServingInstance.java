package io.inceptionstreams.cli;

import io.inceptionstreams.streams.ClassifierService;
import io.inceptionstreams.streams.ServiceStartException;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.http.StatusServer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;

/** A running classifier service with its {@code /health} and {@code /metrics} endpoints. */
final class ServingInstance implements AutoCloseable {
    private final ClassifierService service;
    private final StatusServer http;

    private ServingInstance(ClassifierService service, StatusServer http) {
        this.service = service;
        this.http = http;
    }

    /**
     * Starts the service (after its preflight checks) and, unless {@code http.port} is -1, the HTTP
     * endpoints.
     */
    static ServingInstance start(ClassifierConfig config) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        ClassifierService service = ClassifierService.start(config, registry);
        if (config.httpPort() < 0) {
            return new ServingInstance(service, null);
        }
        try {
            return new ServingInstance(
                    service,
                    StatusServer.start(
                            config.httpPort(),
                            service::health,
                            registry::scrape,
                            () -> service.modelStatus().toJson()));
        } catch (IOException e) {
            service.close();
            throw new ServiceStartException(
                    "cannot serve HTTP on port "
                            + config.httpPort()
                            + " ("
                            + ClassifierConfig.HTTP_PORT
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    /** The HTTP port bound, or -1 when the endpoints are off. */
    int httpPort() {
        return http == null ? -1 : http.port();
    }

    ClassifierService service() {
        return service;
    }

    /**
     * Blocks until the service is running.
     *
     * @throws CommandFailedException when it stops instead, or is not running within {@code
     *     timeout}
     */
    void awaitRunning(Duration timeout) throws InterruptedException {
        if (!service.awaitRunning(timeout)) {
            throw new CommandFailedException(
                    "the classifier was not running within "
                            + timeout.toSeconds()
                            + " s (state "
                            + service.state()
                            + ")");
        }
    }

    /** Blocks until the service has stopped; its final state. */
    KafkaStreams.State awaitTermination() throws InterruptedException {
        return service.awaitTermination();
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        service.close();
    }
}
