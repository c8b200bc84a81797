package io.inceptionstreams.streams.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.streams.ClassifierService.Health;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatusServerTest {
    private final AtomicReference<Health> health =
            new AtomicReference<>(new Health(true, "kafka streams RUNNING, model m 1 loaded"));
    private final HttpClient http = HttpClient.newHttpClient();
    private StatusServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAnswerHealthWith200WhenHealthyAnd503WithTheReasonWhenNot() throws Exception {
        server = StatusServer.start(0, health::get, () -> "");

        HttpResponse<String> up = send("GET", "/health");
        health.set(new Health(false, "kafka streams PENDING_ERROR, model m 1 loaded"));
        HttpResponse<String> down = send("GET", "/health");

        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).isEqualTo("UP: kafka streams RUNNING, model m 1 loaded\n");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).isEqualTo("DOWN: kafka streams PENDING_ERROR, model m 1 loaded\n");
    }

    @Test
    void shouldServeTheMetricsTextAsPrometheusExposition() throws Exception {
        server = StatusServer.start(0, health::get, () -> "inception_images_in_total 3.0\n");

        HttpResponse<String> metrics = send("GET", "/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type"))
                .hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).isEqualTo("inception_images_in_total 3.0\n");
    }

    @Test
    void shouldRejectOtherPathsAndMethods() throws Exception {
        server = StatusServer.start(0, health::get, () -> "");

        assertThat(send("GET", "/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> post = send("POST", "/health");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }
}
