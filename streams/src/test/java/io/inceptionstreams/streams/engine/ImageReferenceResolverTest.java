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
import org.junit.jupiter.api.Assertions;
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
                "/chunked.png",
                exchange -> {
                    exchange.sendResponseHeaders(200, 0);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(IMAGE, 0, 2);
                        out.flush();
                        out.write(IMAGE, 2, IMAGE.length - 2);
                    }
                });
        server.createContext(
                "/moved.png",
                exchange -> {
                    exchange.getResponseHeaders().add("Location", url("/ok.png"));
                    exchange.sendResponseHeaders(302, -1);
                    exchange.close();
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

    /** A resolver that may fetch from the loopback test servers. */
    private ImageReferenceResolver resolver(boolean http, long maxBytes) {
        return new ImageReferenceResolver(
                List.of(root), http, true, Duration.ofSeconds(5), maxBytes);
    }

    private static ImageReferenceException refusal(ImageReferenceResolver resolver, String uri) {
        try {
            resolver.resolve(ref(uri));
        } catch (ImageReferenceException e) {
            return e;
        }
        throw new AssertionError("expected " + uri + " to be refused");
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

    @Test
    void shouldRefuseAFifoUnderAnAllowedRootWithoutOpeningIt() throws Exception {
        // Given a FIFO under an allowed root, which would block whoever opens it to read
        Path fifo = root.resolve("pipe.png");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        Files.createDirectories(root.resolve("dir.png"));

        // Then it is refused at once, and so is a directory
        for (Path path : List.of(fifo, root.resolve("dir.png"))) {
            ImageReferenceException e =
                    Assertions.assertTimeoutPreemptively(
                            Duration.ofSeconds(5),
                            () -> refusal(resolver(false, 100), path.toUri().toString()));
            assertThat(e.reason()).as("%s", path).isEqualTo(RejectionReason.REFERENCE_NOT_ALLOWED);
            assertThat(e).hasMessageContaining("not a regular file");
        }
    }

    @Test
    void shouldRefuseALoopbackReferenceUnlessPrivateAddressesAreAllowed() throws Exception {
        ImageReferenceResolver publicOnly =
                new ImageReferenceResolver(List.of(root), true, false, Duration.ofSeconds(5), 100);
        String byName = "http://localhost:" + server.getAddress().getPort() + "/ok.png";

        for (String uri : List.of(url("/ok.png"), byName)) {
            ImageReferenceException e = refusal(publicOnly, uri);
            assertThat(e.reason()).as(uri).isEqualTo(RejectionReason.REFERENCE_NOT_ALLOWED);
            assertThat(e)
                    .hasMessageContaining(uri)
                    .hasMessageContaining("loopback")
                    .hasMessageContaining("reference.http.allow.private");
        }
        assertThat(resolver(true, 100).resolve(ref(byName))).isEqualTo(IMAGE);
    }

    @Test
    void shouldReadChunkedBodies() throws Exception {
        assertThat(resolver(true, 100).resolve(ref(url("/chunked.png")))).isEqualTo(IMAGE);
    }

    @Test
    void shouldRefuseRedirectsWithoutFollowingThem() {
        ImageReferenceException e = refusal(resolver(true, 100), url("/moved.png"));

        assertThat(e.reason()).isEqualTo(RejectionReason.REFERENCE_UNAVAILABLE);
        assertThat(e).hasMessageContaining("redirect").hasMessageNotContaining("/ok.png");
    }

    @Test
    void shouldGiveUpOnAServerThatSendsHeadersAndThenNothing() throws Exception {
        try (RawHttpServer stalled =
                new RawHttpServer(
                        (request, out) -> {
                            RawHttpServer.write(
                                    out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
                            out.write(IMAGE);
                            out.flush();
                            Thread.sleep(60_000);
                        })) {
            ImageReferenceResolver resolver =
                    new ImageReferenceResolver(
                            List.of(), true, true, Duration.ofMillis(500), 10_000);

            long start = System.nanoTime();
            ImageReferenceException e =
                    Assertions.assertTimeoutPreemptively(
                            Duration.ofSeconds(10), () -> refusal(resolver, stalled.url("/x.png")));

            assertThat(e.reason()).isEqualTo(RejectionReason.REFERENCE_UNAVAILABLE);
            assertThat(e).hasMessageContaining("500 ms (reference.http.timeout.ms)");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void shouldBoundTheWholeDownloadNotOnlyEachRead() throws Exception {
        // A server that trickles one byte every 50 ms never leaves a single read waiting long
        try (RawHttpServer trickle =
                new RawHttpServer(
                        (request, out) -> {
                            RawHttpServer.write(
                                    out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
                            for (int i = 0; i < 1000; i++) {
                                out.write(0);
                                out.flush();
                                Thread.sleep(50);
                            }
                        })) {
            ImageReferenceResolver resolver =
                    new ImageReferenceResolver(
                            List.of(), true, true, Duration.ofMillis(500), 10_000);

            long start = System.nanoTime();
            ImageReferenceException e = refusal(resolver, trickle.url("/x.png"));

            assertThat(e.reason()).isEqualTo(RejectionReason.REFERENCE_UNAVAILABLE);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void shouldNotEchoWhatTheServerAnswered() throws Exception {
        try (RawHttpServer internal =
                new RawHttpServer(
                        (request, out) ->
                                RawHttpServer.write(
                                        out,
                                        "HTTP/1.1 503 db-7.corp:5432 refused\r\n"
                                                + "X-Backend: db-7.corp\r\nContent-Length: 14\r\n"
                                                + "\r\npassword=hunter2"))) {
            String uri = internal.url("/x.png");

            ImageReferenceException e = refusal(resolver(true, 100), uri);

            assertThat(e.reason()).isEqualTo(RejectionReason.REFERENCE_UNAVAILABLE);
            assertThat(e)
                    .hasMessageContaining(uri)
                    .hasMessageContaining("5xx")
                    .hasMessageNotContaining("503")
                    .hasMessageNotContaining("db-7")
                    .hasMessageNotContaining("hunter2")
                    .hasNoCause();
        }
    }

    @Test
    void shouldTellPublicAddressesFromInternalOnes() throws Exception {
        for (String internal :
                List.of(
                        "127.0.0.1",
                        "127.255.255.254",
                        "::1",
                        "0.0.0.0",
                        "0.1.2.3",
                        "::",
                        "10.0.0.1",
                        "172.16.0.1",
                        "172.31.255.255",
                        "192.168.1.1",
                        "169.254.169.254",
                        "fe80::1",
                        "fc00::1",
                        "fd12:3456::1",
                        "100.64.0.1",
                        "100.127.255.255",
                        "224.0.0.1",
                        "ff02::1",
                        "255.255.255.255",
                        "::ffff:10.0.0.1",
                        "::7f00:1",
                        "64:ff9b::a9fe:a9fe",
                        "2002:c0a8:101::1")) {
            assertThat(HttpImageFetcher.internalKind(InetAddress.getByName(internal)))
                    .as(internal)
                    .isPresent();
        }
        for (String external :
                List.of(
                        "8.8.8.8",
                        "1.1.1.1",
                        "11.0.0.1",
                        "172.15.255.255",
                        "172.32.0.0",
                        "100.63.255.255",
                        "100.128.0.0",
                        "192.169.0.1",
                        "2001:4860:4860::8888",
                        "64:ff9b::808:808")) {
            assertThat(HttpImageFetcher.internalKind(InetAddress.getByName(external)))
                    .as(external)
                    .isEmpty();
        }
    }
}
