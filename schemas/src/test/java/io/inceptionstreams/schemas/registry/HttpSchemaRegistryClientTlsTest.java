package io.inceptionstreams.schemas.registry;

import static io.inceptionstreams.schemas.TestCertificates.PASSWORD;
import static io.inceptionstreams.schemas.TestCertificates.TYPE;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.schemas.TestCertificates;
import io.inceptionstreams.schemas.registry.server.EmbeddedSchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry client over HTTPS, against the embedded registry serving TLS on the loopback. */
class HttpSchemaRegistryClientTlsTest {
    private static final Schema SCHEMA =
            SchemaBuilder.record("Ping").fields().requiredString("id").endRecord();

    /** Two TLSv1.2 cipher suites of the test certificates' EC keys. */
    private static final String SUITE = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";

    private static final String OTHER_SUITE = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";

    /** A TLSv1.3 cipher suite. */
    private static final String TLS13_SUITE = "TLS_AES_128_GCM_SHA256";

    @TempDir static Path dir;

    /** The registry's certificate, for 127.0.0.1 (the URL's host). */
    private static Path registryKeys;

    /** A certificate for another host name, trusted all the same. */
    private static Path otherHostKeys;

    /** The client's certificate, for registries that ask for one. */
    private static Path clientKeys;

    /** What the client trusts: the two registry certificates. */
    private static Path clientTrust;

    /** What the registry trusts: the client's certificate. */
    private static Path registryTrust;

    @BeforeAll
    static void makeCertificates() throws Exception {
        TestCertificates certificates = new TestCertificates(dir);
        registryKeys = certificates.keyStore("registry", "ip:127.0.0.1");
        otherHostKeys = certificates.keyStore("other-host", "dns:registry.example.com");
        clientKeys = certificates.keyStore("client", "dns:client");
        clientTrust = certificates.trustStore("client-trust", "registry", "other-host");
        registryTrust = certificates.trustStore("registry-trust", "client");
    }

    private static SSLContext serverContext(Path keys) {
        return new RegistryTls(
                        store(registryTrust),
                        store(keys),
                        null,
                        true,
                        RegistryTls.Handshake.DEFAULT,
                        RegistryTls.Algorithms.DEFAULT)
                .context();
    }

    private static RegistryTls.Store store(Path location) {
        return new RegistryTls.Store(location.toString(), new Password(PASSWORD), TYPE);
    }

    private static HttpSchemaRegistryClient client(String url, Object... keysAndValues) {
        Map<String, Object> config = config(url, keysAndValues);
        config.put(SchemaRegistryClientConfig.MAX_RETRIES, 0);
        config.put(SchemaRegistryClientConfig.UNAVAILABLE_COOLDOWN_MS, 0);
        return new HttpSchemaRegistryClient(config);
    }

    private static Map<String, Object> config(String url, Object... keysAndValues) {
        Map<String, Object> config = new HashMap<>();
        config.put(SchemaRegistryClientConfig.URL, url);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            config.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return config;
    }

    private static Object[] trusting(Object... more) {
        Object[] trust = {
            SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION, clientTrust.toString(),
            SchemaRegistryClientConfig.SSL_TRUSTSTORE_PASSWORD, PASSWORD,
            SchemaRegistryClientConfig.SSL_TRUSTSTORE_TYPE, TYPE
        };
        return concat(trust, more);
    }

    /** {@link #trusting} the registry and presenting the client's certificate. */
    private static Object[] withClientCertificate(Object... more) {
        Object[] keys = {
            SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION, clientKeys.toString(),
            SchemaRegistryClientConfig.SSL_KEYSTORE_PASSWORD, PASSWORD,
            SchemaRegistryClientConfig.SSL_KEYSTORE_TYPE, TYPE
        };
        return trusting(concat(keys, more));
    }

    private static Object[] concat(Object[] first, Object[] second) {
        Object[] all = new Object[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    /** Registers {@link #SCHEMA} and reads it back by its id. */
    private static Schema roundTrip(HttpSchemaRegistryClient client) {
        int id = client.register("pings-value", SCHEMA);
        return client.getSchemaById(id);
    }

    @Test
    void shouldRegisterAndFetchOverHttpsTrustingTheConfiguredTrustStore() {
        try (EmbeddedSchemaRegistry registry =
                new EmbeddedSchemaRegistry().withTls(serverContext(registryKeys), false).start()) {
            assertThat(registry.url()).startsWith("https://127.0.0.1:");

            assertThat(roundTrip(client(registry.url(), trusting()))).isEqualTo(SCHEMA);
        }
    }

    @Test
    void shouldRefuseACertificateTheJvmDoesNotTrustAndSayWhy() {
        try (EmbeddedSchemaRegistry registry =
                new EmbeddedSchemaRegistry().withTls(serverContext(registryKeys), false).start()) {
            // No trust store: the JDK's cacerts, which know nothing of this self-signed one
            assertThatThrownBy(() -> roundTrip(client(registry.url())))
                    .isInstanceOf(SchemaRegistryUnavailableException.class)
                    .hasMessageContaining("SSLHandshakeException")
                    .hasMessageContaining("PKIX path building failed");
        }
    }

    @Test
    void shouldPresentTheKeyStoresCertificateToARegistryThatAsksForOne() {
        try (EmbeddedSchemaRegistry registry =
                new EmbeddedSchemaRegistry().withTls(serverContext(registryKeys), true).start()) {
            // Without a key store the handshake fails: transient, as any I/O error
            assertThatThrownBy(() -> roundTrip(client(registry.url(), trusting())))
                    .isInstanceOf(SchemaRegistryUnavailableException.class);

            HttpSchemaRegistryClient withCertificate =
                    client(registry.url(), withClientCertificate());
            assertThat(roundTrip(withCertificate)).isEqualTo(SCHEMA);
        }
    }

    @Test
    void shouldTrustAndPresentPemFilesOrTextWithAnEncryptedKey() throws Exception {
        TestCertificates certificates = new TestCertificates(dir);
        Path trust = certificates.pemTrustStore("client-trust", "registry");
        Path keys = certificates.pemKeyStore("client", "key-secret");
        try (EmbeddedSchemaRegistry registry =
                new EmbeddedSchemaRegistry().withTls(serverContext(registryKeys), true).start()) {
            HttpSchemaRegistryClient pem =
                    client(
                            registry.url(),
                            SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION,
                            trust.toString(),
                            SchemaRegistryClientConfig.SSL_TRUSTSTORE_TYPE,
                            "PEM",
                            SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION,
                            keys.toString(),
                            SchemaRegistryClientConfig.SSL_KEYSTORE_TYPE,
                            "PEM",
                            SchemaRegistryClientConfig.SSL_KEY_PASSWORD,
                            "key-secret");

            assertThat(roundTrip(pem)).isEqualTo(SCHEMA);

            // The same PEM given in the configuration itself
            String keysText = Files.readString(keys, US_ASCII);
            int chainStart = keysText.indexOf("-----BEGIN CERTIFICATE-----");
            HttpSchemaRegistryClient inline =
                    client(
                            registry.url(),
                            SchemaRegistryClientConfig.SSL_TRUSTSTORE_CERTIFICATES,
                            Files.readString(trust, US_ASCII),
                            SchemaRegistryClientConfig.SSL_TRUSTSTORE_TYPE,
                            "PEM",
                            SchemaRegistryClientConfig.SSL_KEYSTORE_KEY,
                            keysText.substring(0, chainStart),
                            SchemaRegistryClientConfig.SSL_KEYSTORE_CERTIFICATE_CHAIN,
                            keysText.substring(chainStart),
                            SchemaRegistryClientConfig.SSL_KEYSTORE_TYPE,
                            "PEM",
                            SchemaRegistryClientConfig.SSL_KEY_PASSWORD,
                            "key-secret");
            assertThat(roundTrip(inline)).isEqualTo(SCHEMA);
        }
    }

    @Test
    void shouldCheckTheHostNameUnlessTheIdentificationAlgorithmIsEmpty() {
        try (EmbeddedSchemaRegistry registry =
                new EmbeddedSchemaRegistry().withTls(serverContext(otherHostKeys), false).start()) {
            // Trusted, but issued for registry.example.com, not 127.0.0.1
            assertThatThrownBy(() -> roundTrip(client(registry.url(), trusting())))
                    .isInstanceOf(SchemaRegistryUnavailableException.class)
                    .hasMessageContaining("127.0.0.1");

            HttpSchemaRegistryClient anyHost =
                    client(
                            registry.url(),
                            trusting(
                                    SchemaRegistryClientConfig
                                            .SSL_ENDPOINT_IDENTIFICATION_ALGORITHM,
                                    ""));
            assertThat(roundTrip(anyHost)).isEqualTo(SCHEMA);
        }
    }

    /** A registry that speaks only {@code protocol}, with only {@code suites} when given. */
    private static EmbeddedSchemaRegistry speaking(String protocol, String... suites) {
        SSLContext context = serverContext(registryKeys);
        SSLParameters parameters = context.getDefaultSSLParameters();
        parameters.setProtocols(new String[] {protocol});
        if (suites.length > 0) {
            parameters.setCipherSuites(suites);
        }
        return new EmbeddedSchemaRegistry().withTls(context, parameters).start();
    }

    /** A trusting client with these keys set cannot complete a handshake: transient. */
    private static void assertNoHandshake(
            EmbeddedSchemaRegistry registry, Object... keysAndValues) {
        assertThatThrownBy(() -> roundTrip(client(registry.url(), trusting(keysAndValues))))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("SSLHandshakeException");
    }

    @Test
    void shouldOfferOnlyTheConfiguredVersionsAndCipherSuites() {
        try (EmbeddedSchemaRegistry registry = speaking("TLSv1.2", SUITE)) {
            // The defaults offer TLSv1.2 as well as TLSv1.3, and the JVM's cipher suites
            assertThat(roundTrip(client(registry.url(), trusting()))).isEqualTo(SCHEMA);

            // Only TLSv1.3, or only a suite the registry does not take: no handshake, transient
            assertNoHandshake(
                    registry, SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS, "TLSv1.3");
            assertNoHandshake(registry, SchemaRegistryClientConfig.SSL_CIPHER_SUITES, OTHER_SUITE);
            HttpSchemaRegistryClient withItsSuite =
                    client(
                            registry.url(),
                            trusting(
                                    SchemaRegistryClientConfig.SSL_CIPHER_SUITES,
                                    OTHER_SUITE + "," + SUITE));
            assertThat(roundTrip(withItsSuite)).isEqualTo(SCHEMA);

            // Empty lists: the context's versions and suites, as in Kafka
            HttpSchemaRegistryClient emptyLists =
                    client(
                            registry.url(),
                            trusting(
                                    SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS,
                                    "",
                                    SchemaRegistryClientConfig.SSL_CIPHER_SUITES,
                                    ""));
            assertThat(roundTrip(emptyLists)).isEqualTo(SCHEMA);
        }
        try (EmbeddedSchemaRegistry registry = speaking("TLSv1.3")) {
            assertThat(roundTrip(client(registry.url(), trusting()))).isEqualTo(SCHEMA);

            // With protocol TLSv1.2 the client offers no TLSv1.3, though the enabled protocols
            // name it, and even with a TLSv1.3 suite among its suites
            assertNoHandshake(registry, SchemaRegistryClientConfig.SSL_PROTOCOL, "TLSv1.2");
            assertNoHandshake(
                    registry,
                    SchemaRegistryClientConfig.SSL_PROTOCOL,
                    "TLSv1.2",
                    SchemaRegistryClientConfig.SSL_CIPHER_SUITES,
                    TLS13_SUITE + "," + SUITE);

            // Protocol TLS names no version, so it caps none
            HttpSchemaRegistryClient uncapped =
                    client(
                            registry.url(),
                            trusting(
                                    SchemaRegistryClientConfig.SSL_PROTOCOL,
                                    "TLS",
                                    SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS,
                                    "TLSv1.3"));
            assertThat(roundTrip(uncapped)).isEqualTo(SCHEMA);
        }
    }

    @Test
    void shouldGiveAnotherProtocolAContextOfItsOwnWithoutStores() {
        RegistryTls defaults = tlsOf();
        assertThat(defaults.isDefault()).isTrue();
        assertThat(defaults.handshake()).isEqualTo(RegistryTls.Handshake.DEFAULT);
        assertThat(defaults.handshake().parameters().getProtocols())
                .containsExactly("TLSv1.2", "TLSv1.3");

        RegistryTls tls12 = tlsOf(SchemaRegistryClientConfig.SSL_PROTOCOL, "TLSv1.2");
        assertThat(tls12.isDefault()).isFalse();
        assertThat(tls12.context().getProtocol()).isEqualTo("TLSv1.2");
        assertThat(tls12.handshake().parameters().getProtocols()).containsExactly("TLSv1.2");
    }

    @Test
    void shouldRefuseUnknownVersionsAndCipherSuitesNamingTheKey() {
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_PROTOCOL,
                                        "TLSv9"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_PROTOCOL)
                .hasMessageContaining("not a TLS protocol of this JVM");
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS,
                                        "TLSv1.2,TLSv9"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS)
                .hasMessageContaining("unknown protocol 'TLSv9'")
                .hasMessageContaining("TLSv1.3");
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_CIPHER_SUITES,
                                        "TLS_NO_SUCH_SUITE"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_CIPHER_SUITES)
                .hasMessageContaining("unknown cipher suite 'TLS_NO_SUCH_SUITE'");
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_PROTOCOL,
                                        "TLSv1.2",
                                        SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS,
                                        "TLSv1.3"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS)
                .hasMessageContaining("none is at most schema.registry.ssl.protocol=TLSv1.2");
        // Known names this JVM cannot offer: a disabled version, no suite of the version
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS,
                                        "TLSv1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("This JVM cannot offer")
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS + "=TLSv1 ")
                .hasMessageContaining("jdk.tls.disabledAlgorithms");
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS,
                                        "TLSv1.3",
                                        SchemaRegistryClientConfig.SSL_CIPHER_SUITES,
                                        SUITE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("This JVM cannot offer")
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_CIPHER_SUITES + "=" + SUITE);
    }

    @Test
    void shouldMakeTheContextOfTheConfiguredProviderAndAlgorithms() {
        CountingTlsProvider.install();
        try (EmbeddedSchemaRegistry registry =
                new EmbeddedSchemaRegistry().withTls(serverContext(registryKeys), true).start()) {
            HttpSchemaRegistryClient client =
                    client(
                            registry.url(),
                            withClientCertificate(
                                    SchemaRegistryClientConfig.SSL_PROVIDER,
                                    CountingTlsProvider.NAME,
                                    SchemaRegistryClientConfig.SSL_KEYMANAGER_ALGORITHM,
                                    CountingTlsProvider.ALGORITHM,
                                    SchemaRegistryClientConfig.SSL_TRUSTMANAGER_ALGORITHM,
                                    CountingTlsProvider.ALGORITHM,
                                    SchemaRegistryClientConfig.SSL_SECURE_RANDOM_IMPLEMENTATION,
                                    CountingTlsProvider.ALGORITHM));
            // The client's context took its managers from the named factories...
            assertThat(CountingTlsProvider.TRUST_MANAGERS).hasPositiveValue();
            assertThat(CountingTlsProvider.KEY_MANAGERS).hasPositiveValue();
            CountingTlsProvider.reset();

            assertThat(roundTrip(client)).isEqualTo(SCHEMA);
            // ...and its connections are the provider's, with the named random source
            assertThat(CountingTlsProvider.ENGINES).hasPositiveValue();
            assertThat(CountingTlsProvider.RANDOM_BYTES).hasPositiveValue();
        } finally {
            CountingTlsProvider.uninstall();
        }
    }

    @Test
    void shouldUseTheJvmsDefaultContextOnlyWithTheJvmsDefaultProviderAndAlgorithms() {
        assertThat(tlsOf().isDefault()).isTrue();
        assertThat(tlsOf().algorithms()).isEqualTo(RegistryTls.Algorithms.DEFAULT);
        // Empty algorithms are the JVM's; names are not case-sensitive
        assertThat(
                        tlsOf(
                                        SchemaRegistryClientConfig.SSL_KEYMANAGER_ALGORITHM,
                                        "",
                                        SchemaRegistryClientConfig.SSL_TRUSTMANAGER_ALGORITHM,
                                        " ")
                                .algorithms())
                .isEqualTo(RegistryTls.Algorithms.DEFAULT);
        assertThat(
                        tlsOf(
                                        SchemaRegistryClientConfig.SSL_TRUSTMANAGER_ALGORITHM,
                                        RegistryTls.Algorithms.DEFAULT
                                                .trustManager()
                                                .toLowerCase(Locale.ROOT))
                                .isDefault())
                .isTrue();
        // Without a key store the key manager's algorithm has nothing to read
        assertThat(
                        tlsOf(SchemaRegistryClientConfig.SSL_KEYMANAGER_ALGORITHM, "NewSunX509")
                                .isDefault())
                .isTrue();
        assertThat(
                        tlsOf(SchemaRegistryClientConfig.SSL_TRUSTMANAGER_ALGORITHM, "SunX509")
                                .isDefault())
                .isFalse();
        assertThat(
                        tlsOf(SchemaRegistryClientConfig.SSL_SECURE_RANDOM_IMPLEMENTATION, "DRBG")
                                .isDefault())
                .isFalse();
        RegistryTls sunJsse = tlsOf(SchemaRegistryClientConfig.SSL_PROVIDER, "SunJSSE");
        assertThat(sunJsse.isDefault()).isFalse();
        assertThat(sunJsse.context().getProvider().getName()).isEqualTo("SunJSSE");
    }

    /** The TLS settings of a client of {@code https://127.0.0.1:1} with these keys. */
    private static RegistryTls tlsOf(Object... keysAndValues) {
        return RegistryTls.of(
                new SchemaRegistryClientConfig(config("https://127.0.0.1:1", keysAndValues)));
    }

    @Test
    void shouldRefuseProvidersAndAlgorithmsTheJvmDoesNotHaveNamingTheKey() {
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_PROVIDER,
                                        "NoSuchProvider"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_PROVIDER)
                .hasMessageContaining("no security provider of that name")
                .hasMessageContaining("SunJSSE");
        // A provider of the JVM without TLS: the handshake check asks that provider
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_PROVIDER,
                                        "SUN"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "Invalid value SUN for configuration "
                                + SchemaRegistryClientConfig.SSL_PROVIDER)
                .hasMessageContaining("this provider has no TLS context of")
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_PROTOCOL + "=TLSv1.3");
        for (String key :
                new String[] {
                    SchemaRegistryClientConfig.SSL_KEYMANAGER_ALGORITHM,
                    SchemaRegistryClientConfig.SSL_TRUSTMANAGER_ALGORITHM,
                    SchemaRegistryClientConfig.SSL_SECURE_RANDOM_IMPLEMENTATION
                }) {
            assertThatThrownBy(() -> client("https://127.0.0.1:1", key, "NoSuchAlgorithm"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(key)
                    .hasMessageContaining("not an algorithm of this JVM's providers");
        }
    }

    @Test
    void shouldNameTheKeyWhenAStoreCannotBeRead() {
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION,
                                        clientTrust.toString(),
                                        SchemaRegistryClientConfig.SSL_TRUSTSTORE_PASSWORD,
                                        "wrong",
                                        SchemaRegistryClientConfig.SSL_TRUSTSTORE_TYPE,
                                        TYPE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION)
                .hasMessageContaining("password");
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION,
                                        dir.resolve("missing.p12").toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION)
                .hasMessageContaining("missing.p12");
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig
                                                .SSL_ENDPOINT_IDENTIFICATION_ALGORITHM,
                                        "ldaps"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected https, or empty");
        String certificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_TRUSTSTORE_CERTIFICATES,
                                        certificate))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_TRUSTSTORE_TYPE)
                .hasMessageContaining("needs type PEM");
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_TRUSTSTORE_CERTIFICATES,
                                        certificate,
                                        SchemaRegistryClientConfig.SSL_TRUSTSTORE_TYPE,
                                        "PEM",
                                        SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION,
                                        clientTrust.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not both");
        assertThatThrownBy(
                        () ->
                                client(
                                        "https://127.0.0.1:1",
                                        SchemaRegistryClientConfig.SSL_KEYSTORE_CERTIFICATE_CHAIN,
                                        certificate,
                                        SchemaRegistryClientConfig.SSL_KEYSTORE_TYPE,
                                        "PEM"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_KEYSTORE_KEY)
                .hasMessageContaining("both the key and its chain");
    }
}
