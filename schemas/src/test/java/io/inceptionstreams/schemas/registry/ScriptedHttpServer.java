package io.inceptionstreams.schemas.registry;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server answering from a script, to put a registry client in situations a real registry
 * will not produce on demand: server errors, auth failures, slowness. Unscripted requests get 404.
 */
public final class ScriptedHttpServer implements AutoCloseable {

    /** What the server answers to one request, after {@code delay}. */
    public record Reply(int status, String body, Duration delay) {
        public static Reply json(int status, String body) {
            return new Reply(status, body, Duration.ZERO);
        }

        public static Reply slow(Duration delay) {
            return new Reply(200, "{}", delay);
        }
    }

    /** A request as the server received it. */
    public record ReceivedRequest(
            String method, String rawPath, String contentType, String authorization, String body) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<ReceivedRequest> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    public ScriptedHttpServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public ScriptedHttpServer then(Reply reply) {
        script.add(reply);
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<ReceivedRequest> received() {
        return received;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            received.add(
                    new ReceivedRequest(
                            exchange.getRequestMethod(),
                            exchange.getRequestURI().getRawPath(),
                            exchange.getRequestHeaders().getFirst("Content-Type"),
                            exchange.getRequestHeaders().getFirst("Authorization"),
                            new String(exchange.getRequestBody().readAllBytes(), UTF_8)));
            Reply reply = script.poll();
            if (reply == null) {
                reply = Reply.json(404, "{\"error_code\":404,\"message\":\"not scripted\"}");
            }
            // Waits on the latch rather than sleeping so that close() ends slow replies at once.
            if (closed.await(reply.delay().toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            byte[] body = reply.body().getBytes(UTF_8);
            exchange.getResponseHeaders().set("Content-Type", HttpSchemaRegistryClient.MEDIA_TYPE);
            exchange.sendResponseHeaders(reply.status(), body.length);
            exchange.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
