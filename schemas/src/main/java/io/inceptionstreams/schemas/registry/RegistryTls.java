package io.inceptionstreams.schemas.registry;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The TLS settings of a registry client, in Confluent's {@code schema.registry.ssl.*} keys: whom to
 * trust (a trust store, else the JVM's default), what to present for mutual TLS (a key store, else
 * nothing), whether the server's certificate must name the host of the URL, which versions and
 * cipher suites the handshake offers, and which of the JVM's security providers and algorithms make
 * the TLS context.
 *
 * <p>A value object: two clients with equal settings share one {@link java.net.http.HttpClient}.
 */
record RegistryTls(
        Store trustStore,
        Store keyStore,
        Password keyPassword,
        boolean verifyHostname,
        Handshake handshake,
        Algorithms algorithms) {

    /**
     * The JVM's implementations the TLS context is made of, in Kafka's {@code ssl.provider}, {@code
     * ssl.keymanager.algorithm}, {@code ssl.trustmanager.algorithm} and {@code
     * ssl.secure.random.implementation} keys: a FIPS deployment names its provider and algorithms.
     *
     * <p>As in Kafka, the provider makes the TLS context only; the factories and the random source
     * come from the first of the JVM's providers that has their algorithm.
     *
     * @param provider the security provider of the TLS context; null for the JVM's first that has
     *     the protocol
     * @param keyManager the algorithm of the key manager factory (used with a key store)
     * @param trustManager the algorithm of the trust manager factory
     * @param secureRandom the algorithm of the context's random numbers; null for the JVM's default
     */
    record Algorithms(
            String provider, String keyManager, String trustManager, String secureRandom) {
        static final Algorithms DEFAULT =
                new Algorithms(
                        null,
                        KeyManagerFactory.getDefaultAlgorithm(),
                        TrustManagerFactory.getDefaultAlgorithm(),
                        null);

        /**
         * The algorithms {@code config} names: the JVM's defaults unchecked (they are there), any
         * other looked up.
         *
         * @throws ConfigException naming the key, for a provider or algorithm this JVM does not
         *     have
         */
        static Algorithms of(SchemaRegistryClientConfig config) {
            Algorithms algorithms =
                    new Algorithms(
                            blankAsNull(config.getString(SchemaRegistryClientConfig.SSL_PROVIDER)),
                            blankAsDefault(
                                    config.getString(
                                            SchemaRegistryClientConfig.SSL_KEYMANAGER_ALGORITHM),
                                    DEFAULT.keyManager),
                            blankAsDefault(
                                    config.getString(
                                            SchemaRegistryClientConfig.SSL_TRUSTMANAGER_ALGORITHM),
                                    DEFAULT.trustManager),
                            blankAsNull(
                                    config.getString(
                                            SchemaRegistryClientConfig
                                                    .SSL_SECURE_RANDOM_IMPLEMENTATION)));
            if (algorithms.equals(DEFAULT)) {
                return DEFAULT;
            }
            algorithms.check();
            return algorithms;
        }

        /**
         * Whether these are the JVM's defaults, as its default TLS context has them. The key
         * manager's algorithm is left out: without a key store (a condition of that context) it has
         * nothing to read.
         */
        boolean isDefault() {
            return provider == null
                    && secureRandom == null
                    && trustManager.equalsIgnoreCase(DEFAULT.trustManager);
        }

        /** Whether the provider has a TLS context of {@code protocol}. */
        boolean hasContext(String protocol) {
            try {
                context(protocol);
                return true;
            } catch (NoSuchAlgorithmException e) {
                return false;
            }
        }

        /** A TLS context of {@code protocol} from the configured provider. */
        SSLContext context(String protocol) throws NoSuchAlgorithmException {
            try {
                return provider == null
                        ? SSLContext.getInstance(protocol)
                        : SSLContext.getInstance(protocol, provider);
            } catch (NoSuchProviderException e) {
                throw new IllegalStateException("checked when configured: " + provider, e);
            }
        }

        KeyManagerFactory keyManagerFactory() throws NoSuchAlgorithmException {
            return KeyManagerFactory.getInstance(keyManager);
        }

        TrustManagerFactory trustManagerFactory() throws NoSuchAlgorithmException {
            return TrustManagerFactory.getInstance(trustManager);
        }

        /** The context's source of random numbers; null for the JVM's default. */
        SecureRandom random() throws NoSuchAlgorithmException {
            return secureRandom == null ? null : SecureRandom.getInstance(secureRandom);
        }

        private void check() {
            if (provider != null && Security.getProvider(provider) == null) {
                throw new ConfigException(
                        SchemaRegistryClientConfig.SSL_PROVIDER,
                        provider,
                        "no security provider of that name; this JVM has "
                                + String.join(
                                        ", ",
                                        Arrays.stream(Security.getProviders())
                                                .map(Provider::getName)
                                                .toList()));
            }
            requireAlgorithm(
                    SchemaRegistryClientConfig.SSL_KEYMANAGER_ALGORITHM,
                    keyManager,
                    this::keyManagerFactory,
                    () -> DEFAULT.keyManager);
            requireAlgorithm(
                    SchemaRegistryClientConfig.SSL_TRUSTMANAGER_ALGORITHM,
                    trustManager,
                    this::trustManagerFactory,
                    () -> DEFAULT.trustManager);
            requireAlgorithm(
                    SchemaRegistryClientConfig.SSL_SECURE_RANDOM_IMPLEMENTATION,
                    secureRandom,
                    this::random,
                    () -> new SecureRandom().getAlgorithm());
        }

        private static void requireAlgorithm(
                String key, String algorithm, AlgorithmLookup lookup, Supplier<String> jvmDefault) {
            try {
                lookup.find();
            } catch (NoSuchAlgorithmException e) {
                throw new ConfigException(
                        key,
                        algorithm,
                        "not an algorithm of this JVM's providers; the JVM's default is "
                                + jvmDefault.get());
            }
        }

        private static String blankAsNull(String value) {
            return blankAsDefault(value, null);
        }

        private static String blankAsDefault(String value, String jvmDefault) {
            return value == null || value.isBlank() ? jvmDefault : value.trim();
        }

        @FunctionalInterface
        private interface AlgorithmLookup {
            Object find() throws NoSuchAlgorithmException;
        }
    }

    /**
     * What the client offers in the handshake, in Kafka's {@code ssl.protocol}, {@code
     * ssl.enabled.protocols} and {@code ssl.cipher.suites} keys.
     *
     * @param protocol the TLS context's protocol; a version ({@code TLSv1.2}) is also the newest
     *     one offered, whatever the enabled protocols name (as Kafka's documentation says)
     * @param enabledProtocols the versions offered, none newer than {@code protocol}; null for the
     *     context's defaults
     * @param cipherSuites the cipher suites offered; null for the context's defaults
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
            enabledProtocols = enabledProtocols == null ? null : List.copyOf(enabledProtocols);
            cipherSuites = cipherSuites == null ? null : List.copyOf(cipherSuites);
        }

        /**
         * The handshake {@code config} asks for: the default one of the JVM's providers unchecked,
         * any other checked against what {@code algorithms}' provider can offer.
         *
         * @throws ConfigException naming the key, for a protocol or cipher suite this JVM does not
         *     know, or versions and suites it cannot offer (disabled by {@code
         *     jdk.tls.disabledAlgorithms}, or no suite of the versions)
         */
        static Handshake of(SchemaRegistryClientConfig config, Algorithms algorithms) {
            String protocol = config.getString(SchemaRegistryClientConfig.SSL_PROTOCOL);
            Handshake handshake =
                    new Handshake(
                            protocol,
                            capped(
                                    protocol,
                                    config.getList(
                                            SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS)),
                            emptyAsNull(
                                    config.getList(SchemaRegistryClientConfig.SSL_CIPHER_SUITES)));
            if (handshake.equals(DEFAULT) && algorithms.provider() == null) {
                return DEFAULT;
            }
            handshake.check(algorithms);
            return handshake;
        }

        /** Whether the JVM's default TLS context offers this handshake's versions. */
        boolean isDefaultProtocol() {
            return DEFAULT.protocol.equalsIgnoreCase(protocol);
        }

        /** The versions and, when configured, cipher suites a connection offers. */
        SSLParameters parameters() {
            SSLParameters parameters = new SSLParameters();
            if (enabledProtocols != null) {
                parameters.setProtocols(enabledProtocols.toArray(String[]::new));
            }
            if (cipherSuites != null) {
                parameters.setCipherSuites(cipherSuites.toArray(String[]::new));
            }
            return parameters;
        }

        /** {@code offered} without the versions newer than {@code protocol}; empty: null. */
        private static List<String> capped(String protocol, List<String> offered) {
            if (emptyAsNull(offered) == null) {
                return null;
            }
            int newest = age(protocol);
            List<String> enabled =
                    offered.stream()
                            .filter(version -> newest < 0 || age(version) <= newest)
                            .toList();
            if (enabled.isEmpty()) {
                throw new ConfigException(
                        SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS,
                        String.join(",", offered),
                        "none is at most "
                                + SchemaRegistryClientConfig.SSL_PROTOCOL
                                + "="
                                + protocol);
            }
            return enabled;
        }

        private static List<String> emptyAsNull(List<String> names) {
            return names == null || names.isEmpty() ? null : names;
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

        /**
         * Refuses what this JVM cannot offer: starts a client handshake on an engine of its own,
         * without a network, as far as the first message.
         */
        private void check(Algorithms algorithms) {
            SSLContext context;
            try {
                context = algorithms.context(protocol);
                // No trust managers: the first message needs none, and the JVM's trust store is
                // then not read a second time for the client's own context.
                context.init(null, new TrustManager[0], null);
            } catch (NoSuchAlgorithmException e) {
                if (algorithms.provider() != null && Algorithms.DEFAULT.hasContext(protocol)) {
                    throw new ConfigException(
                            SchemaRegistryClientConfig.SSL_PROVIDER,
                            algorithms.provider(),
                            "this provider has no TLS context of "
                                    + SchemaRegistryClientConfig.SSL_PROTOCOL
                                    + "="
                                    + protocol);
                }
                throw new ConfigException(
                        SchemaRegistryClientConfig.SSL_PROTOCOL,
                        protocol,
                        "not a TLS protocol of "
                                + (algorithms.provider() == null
                                        ? "this JVM"
                                        : "provider " + algorithms.provider())
                                + "; TLSv1.3 or TLSv1.2");
            } catch (KeyManagementException e) {
                throw new ConfigException(
                        "Cannot set up a " + protocol + " context to check the TLS settings: " + e);
            }
            SSLParameters supported = context.getSupportedSSLParameters();
            requireKnown(
                    SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS,
                    "protocol",
                    enabledProtocols,
                    supported.getProtocols());
            requireKnown(
                    SchemaRegistryClientConfig.SSL_CIPHER_SUITES,
                    "cipher suite",
                    cipherSuites,
                    supported.getCipherSuites());
            SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(true);
            engine.setSSLParameters(parameters());
            try {
                engine.beginHandshake();
                engine.wrap(
                        ByteBuffer.allocate(0),
                        ByteBuffer.allocate(engine.getSession().getPacketBufferSize()));
            } catch (SSLException e) {
                throw new ConfigException(
                        "This JVM cannot offer "
                                + SchemaRegistryClientConfig.SSL_ENABLED_PROTOCOLS
                                + "="
                                + (enabledProtocols == null
                                        ? "(its defaults)"
                                        : String.join(",", enabledProtocols))
                                + " with "
                                + SchemaRegistryClientConfig.SSL_CIPHER_SUITES
                                + "="
                                + (cipherSuites == null
                                        ? "(its defaults)"
                                        : String.join(",", cipherSuites))
                                + ": "
                                + e.getMessage()
                                + " (a version disabled by the java.security property"
                                + " jdk.tls.disabledAlgorithms, or no suite of the versions)");
            }
        }

        private static void requireKnown(
                String key, String what, List<String> names, String[] supported) {
            if (names == null) {
                return;
            }
            List<String> known = List.of(supported);
            for (String name : names) {
                if (!known.contains(name)) {
                    throw new ConfigException(
                            key,
                            String.join(",", names),
                            "unknown "
                                    + what
                                    + " '"
                                    + name
                                    + "'; the TLS context supports "
                                    + (known.size() <= LISTED
                                            ? String.join(", ", known)
                                            : known.size()
                                                    + ", among them "
                                                    + String.join(", ", known.subList(0, 3))));
                }
            }
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
        Algorithms algorithms = Algorithms.of(config);
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
                Handshake.of(config, algorithms),
                algorithms);
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
     * Whether the JVM's default context serves: its trust store, no key store, host names checked,
     * the default protocol, providers and algorithms (the enabled versions and cipher suites are
     * the connection's parameters, set apart). Otherwise the client has a context of its own, of
     * the configured protocol, with the JVM's trust store when none is configured.
     */
    boolean isDefault() {
        return !trustStore.isConfigured()
                && !keyStore.isConfigured()
                && verifyHostname
                && handshake.isDefaultProtocol()
                && algorithms.isDefault();
    }

    /**
     * A TLS context of these settings.
     *
     * @throws ConfigException when a store cannot be read (missing file, wrong password or type)
     */
    SSLContext context() {
        try {
            SSLContext context = algorithms.context(handshake.protocol());
            context.init(keyManagers(), trustManagers(), algorithms.random());
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
        KeyManagerFactory factory = algorithms.keyManagerFactory();
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
        TrustManagerFactory factory = algorithms.trustManagerFactory();
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
