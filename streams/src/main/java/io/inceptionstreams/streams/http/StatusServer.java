package io.inceptionstreams.streams.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.inceptionstreams.streams.ClassifierService.Health;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The service's HTTP endpoints, on the JDK's built-in server:
 *
 * <ul>
 *   <li>{@code GET /health}: 200 when the instance serves, 503 when not, with a one-line reason
 *       either way (for load balancers, Docker and Kubernetes probes);
 *   <li>{@code GET /metrics}: every meter in Prometheus' text exposition format;
 *   <li>{@code GET /model}: which model version is active (since when), which the models topic asks
 *       for, and the last deployment refused, as JSON.
 * </ul>
 */
public final class StatusServer implements AutoCloseable {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private StatusServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving on {@code port} of every interface (0: a free port).
     *
     * @param health asked on every {@code /health} request
     * @param metrics the Prometheus text, produced on every {@code /metrics} request
     */
    public static StatusServer start(int port, Supplier<Health> health, Supplier<String> metrics)
            throws IOException {
        return start(port, health, metrics, null);
    }

    /**
     * As {@link #start(int, Supplier, Supplier)}, with {@code /model} answering {@code model}'s
     * JSON (no {@code /model} when null).
     */
    public static StatusServer start(
            int port, Supplier<Health> health, Supplier<String> metrics, Supplier<String> model)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext(
                "/health",
                exchange -> {
                    Health status = health.get();
                    respond(
                            exchange,
                            status.healthy() ? 200 : 503,
                            "text/plain; charset=utf-8",
                            (status.healthy() ? "UP: " : "DOWN: ") + status.detail() + "\n");
                });
        server.createContext(
                "/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, metrics.get()));
        if (model != null) {
            server.createContext(
                    "/model",
                    exchange ->
                            respond(
                                    exchange,
                                    200,
                                    "application/json; charset=utf-8",
                                    model.get() + "\n"));
        }
        server.createContext(
                "/",
                exchange ->
                        respond(
                                exchange,
                                404,
                                "text/plain; charset=utf-8",
                                model == null
                                        ? "not found; try /health or /metrics\n"
                                        : "not found; try /health, /metrics or /model\n"));
        ExecutorService executor =
                Executors.newSingleThreadExecutor(
                        runnable -> {
                            Thread thread = new Thread(runnable, "http-status");
                            thread.setDaemon(true);
                            return thread;
                        });
        server.setExecutor(executor);
        server.start();
        return new StatusServer(server, executor);
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String type, String body)
            throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")
                    && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
