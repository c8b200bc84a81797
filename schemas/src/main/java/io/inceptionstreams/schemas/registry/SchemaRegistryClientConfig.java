package io.inceptionstreams.schemas.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * How to reach the schema registry. The keys and meanings of the first three are Confluent's, so
 * existing client configurations work unchanged:
 *
 * <table>
 *   <caption>Schema registry client configuration</caption>
 *   <tr><th>Key</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>{@value #URL}</td><td>(required)</td>
 *       <td>Comma-separated registry URLs: {@code http://host:port}, {@code https://...}, each
 *       tried in turn when the previous cannot be reached; or a single {@code mock://scope} for
 *       the in-JVM {@link MockSchemaRegistry}.</td></tr>
 *   <tr><td>{@value #BASIC_AUTH_CREDENTIALS_SOURCE}</td><td>{@code URL}</td>
 *       <td>{@code URL}: HTTP basic credentials from each URL's user info
 *       ({@code http://user:password@host:8081}); {@code USER_INFO}: from
 *       {@value #BASIC_AUTH_USER_INFO}.</td></tr>
 *   <tr><td>{@value #BASIC_AUTH_USER_INFO}</td><td>none</td>
 *       <td>{@code user:password}, used when the source is {@code USER_INFO}.</td></tr>
 *   <tr><td>{@value #CONNECT_TIMEOUT_MS}</td><td>5000</td>
 *       <td>Timeout to open a TCP (and TLS) connection.</td></tr>
 *   <tr><td>{@value #REQUEST_TIMEOUT_MS}</td><td>10000</td>
 *       <td>Timeout of one HTTP attempt, until the response headers arrive.</td></tr>
 *   <tr><td>{@value #MAX_RETRIES}</td><td>3</td>
 *       <td>Retries after an I/O error or an HTTP 5xx answer; other errors are not retried.</td></tr>
 *   <tr><td>{@value #RETRY_BACKOFF_MS}</td><td>100</td>
 *       <td>Wait before the first retry, doubled before each next one...</td></tr>
 *   <tr><td>{@value #RETRY_BACKOFF_MAX_MS}</td><td>2000</td><td>...up to this.</td></tr>
 *   <tr><td>{@value #TOTAL_TIMEOUT_MS}</td><td>30000</td>
 *       <td>Bound on one call including its retries: no attempt runs past it.</td></tr>
 *   <tr><td>{@value #UNAVAILABLE_COOLDOWN_MS}</td><td>5000</td>
 *       <td>After a call failed transiently (every retry used), how long further calls fail at once,
 *       without a request, so that a caller is not held for a whole total timeout per call while the
 *       registry is down; 0 turns it off.</td></tr>
 *   <tr><td>{@value #LATEST_CACHE_TTL_SEC}</td><td>-1</td>
 *       <td>How long the latest version of a subject is cached (Confluent's key): -1 forever,
 *       0 never.</td></tr>
 *   <tr><td>{@value #SSL_TRUSTSTORE_LOCATION}</td><td>none</td>
 *       <td>For {@code https://}: the trust store of the registry's certificate authority; none
 *       for the JVM's default trust store ({@code javax.net.ssl.trustStore}, else the JDK's
 *       {@code cacerts}).</td></tr>
 *   <tr><td>{@value #SSL_TRUSTSTORE_PASSWORD}</td><td>none</td>
 *       <td>Its password (none: the store's integrity is not checked).</td></tr>
 *   <tr><td>{@value #SSL_TRUSTSTORE_TYPE}</td><td>JKS</td><td>{@code JKS}, {@code PKCS12}, or
 *       {@code PEM}: a text file of one or more certificates (no password).</td></tr>
 *   <tr><td>{@value #SSL_TRUSTSTORE_CERTIFICATES}</td><td>none</td>
 *       <td>The trusted certificates as PEM text instead of a file (type {@code PEM}).</td></tr>
 *   <tr><td>{@value #SSL_KEYSTORE_LOCATION}</td><td>none</td>
 *       <td>For a registry that asks for a client certificate (mutual TLS): the key store holding
 *       this client's key and certificate chain.</td></tr>
 *   <tr><td>{@value #SSL_KEYSTORE_PASSWORD}</td><td>none</td><td>Its password.</td></tr>
 *   <tr><td>{@value #SSL_KEYSTORE_TYPE}</td><td>JKS</td><td>{@code JKS}, {@code PKCS12}, or
 *       {@code PEM}: a text file of a PKCS#8 private key, plain or encrypted, and its certificate
 *       chain.</td></tr>
 *   <tr><td>{@value #SSL_KEYSTORE_KEY} / {@value #SSL_KEYSTORE_CERTIFICATE_CHAIN}</td>
 *       <td>none</td><td>The PKCS#8 key and its certificate chain as PEM text instead of a file
 *       (type {@code PEM}; both or neither).</td></tr>
 *   <tr><td>{@value #SSL_KEY_PASSWORD}</td><td>the key store's</td>
 *       <td>The password of the key in the key store (of a {@code PEM} file's encrypted
 *       key).</td></tr>
 *   <tr><td>{@value #SSL_ENDPOINT_IDENTIFICATION_ALGORITHM}</td><td>https</td>
 *       <td>{@code https}: the registry's certificate must name the host of its URL; empty: any
 *       host name is accepted (the certificate must still be trusted).</td></tr>
 *   <tr><td>{@value #SSL_PROTOCOL}</td><td>TLSv1.3</td>
 *       <td>The protocol of the client's TLS context, and the newest version it speaks: with
 *       {@code TLSv1.2} the client does not use TLSv1.3 even where the enabled protocols name
 *       it.</td></tr>
 *   <tr><td>{@value #SSL_ENABLED_PROTOCOLS}</td><td>TLSv1.2,TLSv1.3</td>
 *       <td>The versions the client offers in the handshake (at most {@value #SSL_PROTOCOL}'s);
 *       empty for the context's defaults. Always set, so {@code jdk.tls.client.protocols} does not
 *       apply.</td></tr>
 *   <tr><td>{@value #SSL_CIPHER_SUITES}</td><td>the JVM's</td>
 *       <td>The cipher suites the client offers, by their standard names; empty for the
 *       JVM's.</td></tr>
 *   <tr><td>{@value #SSL_PROVIDER}</td><td>none</td>
 *       <td>The security provider of the TLS context (a FIPS provider, say), as in Kafka the
 *       context only; none for the JVM's first provider that has the protocol.</td></tr>
 *   <tr><td>{@value #SSL_KEYMANAGER_ALGORITHM}</td><td>the JVM's ({@code SunX509})</td>
 *       <td>The algorithm of the key manager factory that reads the key store; empty for the
 *       JVM's.</td></tr>
 *   <tr><td>{@value #SSL_TRUSTMANAGER_ALGORITHM}</td><td>the JVM's ({@code PKIX})</td>
 *       <td>The algorithm of the trust manager factory that checks the registry's certificate;
 *       empty for the JVM's.</td></tr>
 *   <tr><td>{@value #SSL_SECURE_RANDOM_IMPLEMENTATION}</td><td>none</td>
 *       <td>The {@code SecureRandom} algorithm of the TLS context ({@code DRBG}, say); none for the
 *       JVM's default.</td></tr>
 * </table>
 *
 * <p>Protocols and suites this JVM does not know, or cannot offer together (a version disabled by
 * {@code jdk.tls.disabledAlgorithms}, no suite of the enabled versions), and providers and
 * algorithms it does not have, are refused when the client is made, not at the first handshake.
 *
 * <p>The TLS keys are Confluent's too ({@code schema.registry.} and Kafka's {@code ssl.*} names).
 */
public final class SchemaRegistryClientConfig extends AbstractConfig {
    public static final String URL = "schema.registry.url";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String CONNECT_TIMEOUT_MS = "schema.registry.connect.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String MAX_RETRIES = "schema.registry.max.retries";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";
    public static final String TOTAL_TIMEOUT_MS = "schema.registry.total.timeout.ms";
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";
    public static final String UNAVAILABLE_COOLDOWN_MS = "schema.registry.unavailable.cooldown.ms";
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String SSL_TRUSTSTORE_CERTIFICATES =
            "schema.registry.ssl.truststore.certificates";
    public static final String SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String SSL_KEYSTORE_KEY = "schema.registry.ssl.keystore.key";
    public static final String SSL_KEYSTORE_CERTIFICATE_CHAIN =
            "schema.registry.ssl.keystore.certificate.chain";
    public static final String SSL_KEY_PASSWORD = "schema.registry.ssl.key.password";
    public static final String SSL_ENDPOINT_IDENTIFICATION_ALGORITHM =
            "schema.registry.ssl.endpoint.identification.algorithm";
    public static final String SSL_PROTOCOL = "schema.registry.ssl.protocol";
    public static final String SSL_ENABLED_PROTOCOLS = "schema.registry.ssl.enabled.protocols";
    public static final String SSL_CIPHER_SUITES = "schema.registry.ssl.cipher.suites";
    public static final String SSL_PROVIDER = "schema.registry.ssl.provider";
    public static final String SSL_KEYMANAGER_ALGORITHM =
            "schema.registry.ssl.keymanager.algorithm";
    public static final String SSL_TRUSTMANAGER_ALGORITHM =
            "schema.registry.ssl.trustmanager.algorithm";
    public static final String SSL_SECURE_RANDOM_IMPLEMENTATION =
            "schema.registry.ssl.secure.random.implementation";

    public SchemaRegistryClientConfig(Map<String, ?> originals) {
        super(configDef(), originals, false);
    }

    /** A fresh definition of the keys above, for configurations that extend it. */
    public static ConfigDef configDef() {
        return new ConfigDef()
                .define(
                        URL,
                        Type.LIST,
                        null,
                        Importance.HIGH,
                        "Comma-separated schema registry URLs (http://, https://) or mock://scope.")
                .define(
                        BASIC_AUTH_CREDENTIALS_SOURCE,
                        Type.STRING,
                        "URL",
                        ValidString.in("URL", "USER_INFO"),
                        Importance.MEDIUM,
                        "Where HTTP basic credentials come from: URL or USER_INFO.")
                .define(
                        BASIC_AUTH_USER_INFO,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "user:password for HTTP basic authentication with USER_INFO.")
                .define(
                        CONNECT_TIMEOUT_MS,
                        Type.INT,
                        5_000,
                        Range.atLeast(1),
                        Importance.LOW,
                        "Connect timeout in milliseconds.")
                .define(
                        REQUEST_TIMEOUT_MS,
                        Type.INT,
                        10_000,
                        Range.atLeast(1),
                        Importance.LOW,
                        "Timeout of one HTTP attempt in milliseconds.")
                .define(
                        MAX_RETRIES,
                        Type.INT,
                        3,
                        Range.atLeast(0),
                        Importance.LOW,
                        "Retries after an I/O error or HTTP 5xx.")
                .define(
                        RETRY_BACKOFF_MS,
                        Type.INT,
                        100,
                        Range.atLeast(0),
                        Importance.LOW,
                        "Initial wait between retries in milliseconds, doubled each retry.")
                .define(
                        RETRY_BACKOFF_MAX_MS,
                        Type.INT,
                        2_000,
                        Range.atLeast(0),
                        Importance.LOW,
                        "Maximum wait between retries in milliseconds.")
                .define(
                        TOTAL_TIMEOUT_MS,
                        Type.INT,
                        30_000,
                        Range.atLeast(1),
                        Importance.LOW,
                        "Bound on one registry call including retries, in milliseconds.")
                .define(
                        UNAVAILABLE_COOLDOWN_MS,
                        Type.INT,
                        5_000,
                        Range.atLeast(0),
                        Importance.LOW,
                        "After a transient failure, how long calls fail at once without a"
                                + " request, in milliseconds; 0 turns it off.")
                .define(
                        LATEST_CACHE_TTL_SEC,
                        Type.LONG,
                        -1L,
                        Range.atLeast(-1),
                        Importance.LOW,
                        "Seconds the latest version of a subject is cached; -1 forever, 0 never.")
                .define(
                        SSL_TRUSTSTORE_LOCATION,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Trust store of the registry's certificate authority; none for the JVM's"
                                + " default.")
                .define(
                        SSL_TRUSTSTORE_PASSWORD,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "Password of the trust store.")
                .define(
                        SSL_TRUSTSTORE_TYPE,
                        Type.STRING,
                        "JKS",
                        Importance.LOW,
                        "Type of the trust store: JKS, PKCS12 or PEM (a file of certificates).")
                .define(
                        SSL_TRUSTSTORE_CERTIFICATES,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "Trusted certificates as PEM text, instead of a trust store file (type"
                                + " PEM).")
                .define(
                        SSL_KEYSTORE_LOCATION,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Key store with this client's key and certificate, for mutual TLS.")
                .define(
                        SSL_KEYSTORE_PASSWORD,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "Password of the key store.")
                .define(
                        SSL_KEYSTORE_TYPE,
                        Type.STRING,
                        "JKS",
                        Importance.LOW,
                        "Type of the key store: JKS, PKCS12 or PEM (a PKCS#8 key and its certificate"
                                + " chain).")
                .define(
                        SSL_KEYSTORE_KEY,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "This client's PKCS#8 private key as PEM text, instead of a key store file"
                                + " (type PEM, with its certificate chain).")
                .define(
                        SSL_KEYSTORE_CERTIFICATE_CHAIN,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "The certificate chain of that key as PEM text, this client's first.")
                .define(
                        SSL_KEY_PASSWORD,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "Password of the key in the key store; none for the key store's.")
                .define(
                        SSL_ENDPOINT_IDENTIFICATION_ALGORITHM,
                        Type.STRING,
                        "https",
                        Importance.LOW,
                        "https: the registry's certificate must name the URL's host; empty: any"
                                + " host name.")
                .define(
                        SSL_PROTOCOL,
                        Type.STRING,
                        RegistryTls.Handshake.DEFAULT.protocol(),
                        new ConfigDef.NonEmptyString(),
                        Importance.LOW,
                        "Protocol of the client's TLS context, and the newest version it uses.")
                .define(
                        SSL_ENABLED_PROTOCOLS,
                        Type.LIST,
                        String.join(",", RegistryTls.Handshake.DEFAULT.enabledProtocols()),
                        Importance.LOW,
                        "TLS versions the client offers (those newer than the protocol are not).")
                .define(
                        SSL_CIPHER_SUITES,
                        Type.LIST,
                        null,
                        Importance.LOW,
                        "Cipher suites the client offers; none for the JVM's.")
                .define(
                        SSL_PROVIDER,
                        Type.STRING,
                        null,
                        Importance.LOW,
                        "Security provider of the TLS context; none for the JVM's first that has"
                                + " the protocol.")
                .define(
                        SSL_KEYMANAGER_ALGORITHM,
                        Type.STRING,
                        RegistryTls.Algorithms.DEFAULT.keyManager(),
                        Importance.LOW,
                        "Algorithm of the key manager factory; empty for the JVM's.")
                .define(
                        SSL_TRUSTMANAGER_ALGORITHM,
                        Type.STRING,
                        RegistryTls.Algorithms.DEFAULT.trustManager(),
                        Importance.LOW,
                        "Algorithm of the trust manager factory; empty for the JVM's.")
                .define(
                        SSL_SECURE_RANDOM_IMPLEMENTATION,
                        Type.STRING,
                        null,
                        Importance.LOW,
                        "SecureRandom algorithm of the TLS context; none for the JVM's default.");
    }

    /** The configured registry URLs, never empty. */
    List<String> urls() {
        List<String> urls = getList(URL);
        if (urls == null || urls.isEmpty()) {
            throw new ConfigException("Missing required configuration \"" + URL + "\"");
        }
        return urls;
    }

    /**
     * The user info to authenticate with when the credentials source is {@code USER_INFO}; empty
     * when it is {@code URL}, each URL then carrying its own.
     */
    Optional<String> configuredUserInfo() {
        if (!"USER_INFO".equals(getString(BASIC_AUTH_CREDENTIALS_SOURCE))) {
            return Optional.empty();
        }
        Password userInfo = getPassword(BASIC_AUTH_USER_INFO);
        if (userInfo == null || userInfo.value().isEmpty()) {
            throw new ConfigException(
                    BASIC_AUTH_USER_INFO
                            + " is required when "
                            + BASIC_AUTH_CREDENTIALS_SOURCE
                            + " is USER_INFO");
        }
        return Optional.of(userInfo.value());
    }
}
