package io.inceptionstreams.schemas.registry;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The TLS settings of a registry client, in Confluent's {@code schema.registry.ssl.*} keys: whom to
 * trust (a trust store, else the JVM's default), what to present for mutual TLS (a key store, else
 * nothing), whether the server's certificate must name the host of the URL, and which versions and
 * cipher suites the handshake offers.
 *
 * <p>A value object: two clients with equal settings share one {@link java.net.http.HttpClient}.
 */
record RegistryTls(
        Store trustStore,
        Store keyStore,
        Password keyPassword,
        boolean verifyHostname,
        Handshake handshake) {

    /**
     * What the client offers in the handshake, in Kafka's {@code ssl.protocol}, {@code
     * ssl.enabled.protocols} and {@code ssl.cipher.suites} keys.
     *
     * @param protocol the TLS context's protocol; a version ({@code TLSv1.2}) is also the newest
     *     one offered, whatever the enabled protocols name
     * @param enabledProtocols the versions offered, none newer than {@code protocol}
     * @param cipherSuites the cipher suites offered; null for the JVM's
     */
    record Handshake(String protocol, List<String> enabledProtocols, List<String> cipherSuites) {
        static final Handshake DEFAULT =
                new Handshake("TLSv1.3", List.of("TLSv1.2", "TLSv1.3"), null);

        /** The versions the protocol caps, oldest first. */
        private static final List<String> VERSIONS =
                List.of("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

        /** More names than this are not listed in full in an error. */
        private static final int LISTED = 8;

        Handshake {
            enabledProtocols = List.copyOf(enabledProtocols);
            cipherSuites = cipherSuites == null ? null : List.copyOf(cipherSuites);
        }

        static Handshake of(SchemaRegistryClientConfig config) {
            String protocol = config.getString(SchemaRegistryClientConfig.SSL_PROTOCOL);
            List<String> offered = config.getList(SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS);
            int newest = age(protocol);
            List<String> enabled =
                    offered.stream()
                            .filter(version -> newest < 0 || age(version) <= newest)
                            .toList();
            if (enabled.isEmpty()) {
                throw new ConfigException(
                        SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS,
                        String.join(",", offered),
                        offered.isEmpty()
                                ? "name at least one TLS version"
                                : "none is at most "
                                        + SchemaRegistryClientConfig.SSL_PROTOCOL
                                        + "="
                                        + protocol);
            }
            List<String> suites = config.getList(SchemaRegistryClientConfig.SSL_CIPHER_SUITES);
            return new Handshake(
                    protocol, enabled, suites == null || suites.isEmpty() ? null : suites);
        }

        /** The place of {@code version} in {@link #VERSIONS}; -1 for another name (TLS). */
        private static int age(String version) {
            for (int i = 0; i < VERSIONS.size(); i++) {
                if (VERSIONS.get(i).equalsIgnoreCase(version)) {
                    return i;
                }
            }
            return -1;
        }

        /** The versions and, when configured, cipher suites a connection offers. */
        SSLParameters parameters() {
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(enabledProtocols.toArray(String[]::new));
            if (cipherSuites != null) {
                parameters.setCipherSuites(cipherSuites.toArray(String[]::new));
            }
            return parameters;
        }

        /** Refuses a protocol this JVM has no TLS context for. */
        static ConfigDef.Validator protocolValidator() {
            return (name, value) -> {
                try {
                    if (value != null) {
                        SSLContext.getInstance((String) value);
                        return;
                    }
                } catch (NoSuchAlgorithmException unknown) {
                    // refused below
                }
                throw new ConfigException(
                        name, value, "not a TLS protocol of this JVM; TLSv1.3 or TLSv1.2");
            };
        }

        /**
         * Refuses a name that is not among this JVM's supported {@code what}s, the standard names
         * of {@code names}.
         */
        static ConfigDef.Validator supported(String what, Function<SSLParameters, String[]> names) {
            return (name, value) -> {
                if (value == null) {
                    return;
                }
                List<String> known;
                try {
                    known =
                            List.of(
                                    names.apply(
                                            SSLContext.getDefault().getSupportedSSLParameters()));
                } catch (NoSuchAlgorithmException e) {
                    throw new ConfigException("This JVM has no default TLS context: " + e);
                }
                for (Object item : (List<?>) value) {
                    if (!known.contains(item)) {
                        throw new ConfigException(
                                name,
                                value,
                                "unknown "
                                        + what
                                        + " '"
                                        + item
                                        + "'; this JVM supports "
                                        + (known.size() <= LISTED
                                                ? String.join(", ", known)
                                                : known.size()
                                                        + ", among them "
                                                        + String.join(", ", known.subList(0, 3))));
                    }
                }
            };
        }
    }

    /**
     * A key or trust store: a file at {@code location}, or PEM text given in the configuration
     * itself ({@code pem}, type {@code PEM}); both null for none.
     */
    record Store(String location, Password password, String type, Password pem) {

        /** A store file. */
        Store(String location, Password password, String type) {
            this(location, password, type, null);
        }

        boolean isConfigured() {
            return location != null || pem != null;
        }

        /** Whether the store is PEM text rather than a JKS or PKCS12 store. */
        boolean isPem() {
            return isPemType(type);
        }

        /** Loads the trust store, failing with the configuration key that names it. */
        KeyStore loadTrusted(String locationKey, String pemKey) {
            return load(locationKey, pemKey, PemStores::trustStore);
        }

        /**
         * Loads the key store, failing with the configuration key that names it.
         *
         * @param keyPassword the password of a PEM key that is encrypted; null for none
         */
        KeyStore loadKeys(String locationKey, String pemKey, char[] keyPassword) {
            return load(locationKey, pemKey, text -> PemStores.keyStore(text, keyPassword));
        }

        private KeyStore load(String locationKey, String pemKey, PemReader pemReader) {
            if (pem != null) {
                try {
                    return pemReader.read(pem.value());
                } catch (IOException | GeneralSecurityException e) {
                    throw new ConfigException(pemKey, pem, "cannot read the PEM text: " + e);
                }
            }
            try {
                if (isPem()) {
                    return pemReader.read(Files.readString(Path.of(location), ISO_8859_1));
                }
                try (InputStream in = Files.newInputStream(Path.of(location))) {
                    KeyStore store = KeyStore.getInstance(type);
                    store.load(in, password == null ? null : password.value().toCharArray());
                    return store;
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new ConfigException(
                        locationKey, location, "cannot load the " + type + " store: " + e);
            }
        }
    }

    private static boolean isPemType(String storeType) {
        return "PEM".equalsIgnoreCase(storeType);
    }

    /** Builds a store from PEM text (a file's, or the configuration's). */
    @FunctionalInterface
    private interface PemReader {
        KeyStore read(String pem) throws IOException, GeneralSecurityException;
    }

    /** The settings of {@code config}. */
    static RegistryTls of(SchemaRegistryClientConfig config) {
        String algorithm =
                config.getString(SchemaRegistryClientConfig.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM);
        boolean verifyHostname = algorithm != null && !algorithm.isBlank();
        if (verifyHostname && !algorithm.trim().toLowerCase(Locale.ROOT).equals("https")) {
            throw new ConfigException(
                    SchemaRegistryClientConfig.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM,
                    algorithm,
                    "expected https, or empty to accept a certificate for any host name");
        }
        return new RegistryTls(
                new Store(
                        config.getString(SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION),
                        config.getPassword(SchemaRegistryClientConfig.SSL_TRUSTSTORE_PASSWORD),
                        config.getString(SchemaRegistryClientConfig.SSL_TRUSTSTORE_TYPE),
                        inlinePem(
                                config,
                                SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION,
                                SchemaRegistryClientConfig.SSL_TRUSTSTORE_TYPE,
                                SchemaRegistryClientConfig.SSL_TRUSTSTORE_CERTIFICATES)),
                new Store(
                        config.getString(SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION),
                        config.getPassword(SchemaRegistryClientConfig.SSL_KEYSTORE_PASSWORD),
                        config.getString(SchemaRegistryClientConfig.SSL_KEYSTORE_TYPE),
                        inlineKeyAndChain(config)),
                config.getPassword(SchemaRegistryClientConfig.SSL_KEY_PASSWORD),
                verifyHostname,
                Handshake.of(config));
    }

    /** The key and certificate chain given inline, as one PEM text; null when neither is. */
    private static Password inlineKeyAndChain(SchemaRegistryClientConfig config) {
        Password key =
                inlinePem(
                        config,
                        SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION,
                        SchemaRegistryClientConfig.SSL_KEYSTORE_TYPE,
                        SchemaRegistryClientConfig.SSL_KEYSTORE_KEY);
        Password chain =
                inlinePem(
                        config,
                        SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION,
                        SchemaRegistryClientConfig.SSL_KEYSTORE_TYPE,
                        SchemaRegistryClientConfig.SSL_KEYSTORE_CERTIFICATE_CHAIN);
        if (key == null && chain == null) {
            return null;
        }
        if (key == null || chain == null) {
            String missing =
                    key == null
                            ? SchemaRegistryClientConfig.SSL_KEYSTORE_KEY
                            : SchemaRegistryClientConfig.SSL_KEYSTORE_CERTIFICATE_CHAIN;
            throw new ConfigException(
                    missing, null, "an inline PEM key store needs both the key and its chain");
        }
        return new Password(key.value() + "\n" + chain.value());
    }

    /**
     * The PEM text of {@code pemKey}, which needs type PEM and no file; null when it is not set.
     */
    private static Password inlinePem(
            SchemaRegistryClientConfig config, String locationKey, String typeKey, String pemKey) {
        Password pem = config.getPassword(pemKey);
        if (pem == null) {
            return null;
        }
        if (config.getString(locationKey) != null) {
            throw new ConfigException(
                    pemKey, pem, "set either " + locationKey + " or " + pemKey + ", not both");
        }
        String type = config.getString(typeKey);
        if (!isPemType(type)) {
            throw new ConfigException(typeKey, type, "PEM text in " + pemKey + " needs type PEM");
        }
        return pem;
    }

    /**
     * Whether the JVM's default context serves: its trust store, no key store, host names checked
     * (the handshake's versions and cipher suites are the connection's parameters, set apart).
     */
    boolean isDefault() {
        return !trustStore.isConfigured() && !keyStore.isConfigured() && verifyHostname;
    }

    /**
     * A TLS context of these settings.
     *
     * @throws ConfigException when a store cannot be read (missing file, wrong password or type)
     */
    SSLContext context() {
        try {
            SSLContext context = SSLContext.getInstance(handshake.protocol());
            context.init(keyManagers(), trustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("Cannot set up TLS for the schema registry: " + e);
        }
    }

    private KeyManager[] keyManagers() throws GeneralSecurityException {
        if (!keyStore.isConfigured()) {
            return null;
        }
        Password password = keyPassword != null ? keyPassword : keyStore.password();
        char[] secret = password == null ? null : password.value().toCharArray();
        KeyStore store =
                keyStore.loadKeys(
                        SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION,
                        SchemaRegistryClientConfig.SSL_KEYSTORE_KEY,
                        secret);
        KeyManagerFactory factory =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        // A PEM key's entry is protected by its password, or by an empty one without.
        factory.init(store, secret == null && keyStore.isPem() ? new char[0] : secret);
        return factory.getKeyManagers();
    }

    private TrustManager[] trustManagers() throws GeneralSecurityException {
        KeyStore store =
                trustStore.isConfigured()
                        ? trustStore.loadTrusted(
                                SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION,
                                SchemaRegistryClientConfig.SSL_TRUSTSTORE_CERTIFICATES)
                        : null;
        TrustManagerFactory factory =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        TrustManager[] managers = factory.getTrustManagers();
        if (verifyHostname) {
            return managers;
        }
        return Arrays.stream(managers)
                .map(
                        manager ->
                                manager instanceof X509TrustManager x509
                                        ? new AnyHostTrustManager(x509)
                                        : manager)
                .toArray(TrustManager[]::new);
    }

    /**
     * Checks the server's certificate chain but not the host it names. The JDK's HTTP client asks
     * for host name verification on every connection, and an {@link X509ExtendedTrustManager} is
     * where TLS performs it: this one leaves it out, as {@code
     * schema.registry.ssl.endpoint.identification.algorithm=} asks.
     */
    private static final class AnyHostTrustManager extends X509ExtendedTrustManager {
        private final X509TrustManager delegate;

        AnyHostTrustManager(X509TrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
