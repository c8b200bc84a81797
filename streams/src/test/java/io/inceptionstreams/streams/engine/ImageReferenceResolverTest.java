package io.inceptionstreams.streams.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.inceptionstreams.schemas.avro.ImageReference;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageReferenceResolverTest {
    private static final byte[] IMAGE = {1, 2, 3, 4, 5};

    @TempDir Path dir;
    private Path root;
    private HttpServer server;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(dir.resolve("root"));
        Files.write(root.resolve("in.png"), IMAGE);
        Files.write(dir.resolve("secret.png"), IMAGE);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/ok.png",
                exchange -> {
                    exchange.sendResponseHeaders(200, IMAGE.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(IMAGE);
                    }
                });
        server.createContext(
                "/big.png",
                exchange -> {
                    exchange.sendResponseHeaders(200, 0); // chunked: no Content-Length to trust
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(new byte[4096]);
                    }
                });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ImageReferenceResolver resolver(boolean http, long maxBytes) {
        return new ImageReferenceResolver(List.of(root), http, Duration.ofSeconds(5), maxBytes);
    }

    private static ImageReference ref(String uri) {
        return new ImageReference(uri, null, null);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void shouldReadFilesInsideAnAllowedRoot() throws Exception {
        assertThat(resolver(false, 100).resolve(ref(root.resolve("in.png").toUri().toString())))
                .isEqualTo(IMAGE);
    }

    @Test
    void shouldRejectFilesOutsideTheRootsEvenThroughDotDotOrSymlinks() throws Exception {
        Path link = Files.createSymbolicLink(root.resolve("link.png"), dir.resolve("secret.png"));
        ImageReferenceResolver resolver = resolver(false, 100);

        for (String uri :
                List.of(
                        dir.resolve("secret.png").toUri().toString(),
                        "file://" + root + "/../secret.png",
                        link.toUri().toString())) {
            assertThatThrownBy(() -> resolver.resolve(ref(uri)))
                    .as(uri)
                    .isInstanceOfSatisfying(
                            ImageReferenceException.class,
                            e ->
                                    assertThat(e.reason())
                                            .isEqualTo(RejectionReason.REFERENCE_NOT_ALLOWED));
        }
    }

    @Test
    void shouldRejectOversizedFilesAndMissingOnes() {
        ImageReferenceResolver resolver = resolver(false, 3);
        assertThatThrownBy(() -> resolver.resolve(ref(root.resolve("in.png").toUri().toString())))
                .isInstanceOfSatisfying(
                        ImageReferenceException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectionReason.TOO_LARGE));
        assertThatThrownBy(
                        () -> resolver.resolve(ref(root.resolve("missing.png").toUri().toString())))
                .isInstanceOfSatisfying(
                        ImageReferenceException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(RejectionReason.REFERENCE_UNAVAILABLE));
    }

    @Test
    void shouldFetchHttpOnlyWhenEnabledAndWithinTheByteLimit() throws Exception {
        assertThat(resolver(true, 100).resolve(ref(url("/ok.png")))).isEqualTo(IMAGE);
        assertThatThrownBy(() -> resolver(false, 100).resolve(ref(url("/ok.png"))))
                .isInstanceOfSatisfying(
                        ImageReferenceException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(RejectionReason.UNSUPPORTED_REFERENCE));
        assertThatThrownBy(() -> resolver(true, 1000).resolve(ref(url("/big.png"))))
                .isInstanceOfSatisfying(
                        ImageReferenceException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectionReason.TOO_LARGE));
        assertThatThrownBy(() -> resolver(true, 100).resolve(ref(url("/missing.png"))))
                .isInstanceOfSatisfying(
                        ImageReferenceException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(RejectionReason.REFERENCE_UNAVAILABLE));
    }

    @Test
    void shouldCheckTheSha256WhenGiven() throws Exception {
        String good = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(IMAGE));
        String uri = root.resolve("in.png").toUri().toString();
        assertThat(resolver(false, 100).resolve(new ImageReference(uri, good, null)))
                .isEqualTo(IMAGE);
        assertThatThrownBy(
                        () ->
                                resolver(false, 100)
                                        .resolve(
                                                new ImageReference(
                                                        uri, "00" + good.substring(2), null)))
                .isInstanceOfSatisfying(
                        ImageReferenceException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectionReason.CHECKSUM_MISMATCH));
    }

    @Test
    void shouldRejectOtherSchemesWithAClearReason() {
        assertThatThrownBy(() -> resolver(true, 100).resolve(ref("ftp://example.com/a.png")))
                .isInstanceOfSatisfying(
                        ImageReferenceException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(RejectionReason.UNSUPPORTED_REFERENCE);
                            assertThat(e.getMessage())
                                    .contains("ftp://example.com/a.png", "unsupported scheme");
                        });
    }
}
