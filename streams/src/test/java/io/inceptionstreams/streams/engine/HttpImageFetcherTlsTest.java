package io.inceptionstreams.streams.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.inceptionstreams.schemas.TestCertificates;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * https references against a real TLS server on loopback, with a certificate made for the test by
 * the JDK's keytool: the image arrives when the certificate is trusted and names the host; it is
 * refused, with a reason, when the certificate names another host or is not trusted.
 */
@Timeout(60)
class HttpImageFetcherTlsTest {
    private static final byte[] IMAGE = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3, 4};

    @TempDir Path dir;
    private HttpsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void shouldFetchOverHttpsWhenTheTrustedCertificateNamesTheHost() throws Exception {
        KeyStore keys = certificate("dns:localhost,ip:127.0.0.1");
        URI uri = serve(keys);

        byte[] fetched = fetcher(trusting(keys)).fetch(uri);

        assertThat(fetched).isEqualTo(IMAGE);
    }

    @Test
    void shouldRefuseATrustedCertificateForAnotherHost() throws Exception {
        KeyStore keys = certificate("dns:images.example.com");
        URI uri = serve(keys);

        assertUntrusted(() -> fetcher(trusting(keys)).fetch(uri));
    }

    @Test
    void shouldRefuseACertificateTheJvmDoesNotTrust() throws Exception {
        URI uri = serve(certificate("dns:localhost,ip:127.0.0.1"));

        assertUntrusted(
                () -> new HttpImageFetcher(Duration.ofSeconds(10), 1 << 20, true).fetch(uri));
    }

    private static void assertUntrusted(ThrowingCallable fetch) {
        assertThatThrownBy(fetch)
                .isInstanceOfSatisfying(
                        ImageReferenceException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(RejectionReason.REFERENCE_UNAVAILABLE))
                .hasMessageContaining("certificate was not trusted");
    }

    private static HttpImageFetcher fetcher(SSLSocketFactory tls) {
        return new HttpImageFetcher(Duration.ofSeconds(10), 1 << 20, true, tls);
    }

    /** A self-signed key pair and certificate with these subject alternative names. */
    private KeyStore certificate(String names) throws Exception {
        return TestCertificates.load(new TestCertificates(dir).keyStore("server", names));
    }

    /** An https server on loopback answering every GET with the image; its URI by name. */
    private URI serve(KeyStore keys) throws Exception {
        KeyManagerFactory keyManagers =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, TestCertificates.PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext(
                "/",
                exchange -> {
                    exchange.getResponseHeaders().set("Content-Type", "image/png");
                    exchange.sendResponseHeaders(200, IMAGE.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(IMAGE);
                    }
                });
        server.start();
        return URI.create("https://localhost:" + server.getAddress().getPort() + "/shirt.png");
    }

    /** TLS sockets that trust exactly the certificate of {@code keys}. */
    private static SSLSocketFactory trusting(KeyStore keys) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", keys.getCertificate("server"));
        TrustManagerFactory trustManagers =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        return context.getSocketFactory();
    }
}
