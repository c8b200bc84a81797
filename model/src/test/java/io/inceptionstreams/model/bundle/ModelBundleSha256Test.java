package io.inceptionstreams.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.inceptionstreams.model.TestNetworks;
import java.io.FileNotFoundException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bundle's deployment identity: the SHA-256 of its {@code sha256sum} manifest. */
class ModelBundleSha256Test {

    @TempDir static Path shared;
    @TempDir Path dir;
    private static ModelBundle bundle;

    @BeforeAll
    static void writeBundle() throws Exception {
        bundle = TestNetworks.randomBundle(shared.resolve("bundle"), "float32");
    }

    @Test
    void shouldHashTheSha256sumManifestOfTheThreeFilesInOrder() throws Exception {
        // Given the manifest `sha256sum bundle.properties synset.txt parameters.ndlist` prints
        Path folder = Path.of(bundle.location());
        StringBuilder manifest = new StringBuilder();
        for (String name : ModelBundle.FILES) {
            manifest.append(hex(Files.readAllBytes(folder.resolve(name))))
                    .append("  ")
                    .append(name)
                    .append('\n');
        }

        // When / Then
        assertThat(bundle.sha256())
                .hasSize(64)
                .isEqualTo(hex(manifest.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldChangeWhenOneByteOfTheParametersChanges() throws Exception {
        // Given a copy of the bundle with one parameter byte flipped
        Path copy = copy(Path.of(bundle.location()), dir.resolve("copy"));
        Path parameters = copy.resolve("parameters.ndlist");
        byte[] bytes = Files.readAllBytes(parameters);
        bytes[bytes.length - 1] ^= 1;
        Files.write(parameters, bytes);

        // When / Then
        assertThat(ModelBundle.open(copy.toString()).sha256()).isNotEqualTo(bundle.sha256());
    }

    @Test
    void shouldReadAndHashABundleServedOverHttp() throws Exception {
        // Given the bundle's folder served over HTTP
        Path folder = Path.of(bundle.location());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/bundles/v1/",
                exchange -> {
                    String name = exchange.getRequestURI().getPath().substring(12);
                    Path file = folder.resolve(name);
                    try (exchange) {
                        if (!Files.isRegularFile(file)) {
                            exchange.sendResponseHeaders(404, -1);
                            return;
                        }
                        byte[] body = Files.readAllBytes(file);
                        exchange.sendResponseHeaders(200, body.length);
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(body);
                        }
                    }
                });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/bundles/v1";

            // When
            ModelBundle remote = ModelBundle.open(url);

            // Then
            assertThat(remote.descriptor()).isEqualTo(bundle.descriptor());
            assertThat(remote.sha256()).isEqualTo(bundle.sha256());
            assertThatThrownBy(() -> ModelBundle.open(url + "/missing"))
                    .isInstanceOf(FileNotFoundException.class)
                    .hasMessageContaining("HTTP 404");
        } finally {
            server.stop(0);
        }
    }

    private static Path copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        for (String name : ModelBundle.FILES) {
            Files.copy(from.resolve(name), to.resolve(name));
        }
        return to;
    }

    private static String hex(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
