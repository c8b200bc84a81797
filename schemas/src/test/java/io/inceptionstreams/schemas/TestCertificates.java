package io.inceptionstreams.schemas;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Self-signed certificates for TLS tests, made by the JDK's {@code keytool} into PKCS12 stores
 * whose passwords are all {@value #PASSWORD}, each key's alias the name of its store, and copied
 * into PEM files on request (an encrypted key by {@code openssl}). Shared with the streams tests
 * (this module's test jar).
 */
public final class TestCertificates {
    public static final String PASSWORD = "changeit";
    public static final String TYPE = "PKCS12";

    private final Path dir;

    /** Stores are written to {@code dir}, one file per name. */
    public TestCertificates(Path dir) {
        this.dir = dir;
    }

    /**
     * A key store holding a new key and its self-signed certificate for {@code san} (keytool's
     * {@code -ext san=} syntax, e.g. {@code ip:127.0.0.1}).
     */
    public Path keyStore(String name, String san) throws IOException, InterruptedException {
        Path store = dir.resolve(name + ".p12");
        keytool(
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + name,
                "-ext",
                "san=" + san,
                "-validity",
                "2",
                "-keystore",
                store.toString(),
                "-storetype",
                TYPE,
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD);
        return store;
    }

    /** A trust store of the certificates of the key stores {@code names}. */
    public Path trustStore(String name, String... names) throws IOException, InterruptedException {
        Path store = dir.resolve(name + ".p12");
        for (String trusted : names) {
            Path certificate = dir.resolve(trusted + ".crt");
            keytool(
                    "-exportcert",
                    "-alias",
                    trusted,
                    "-file",
                    certificate.toString(),
                    "-keystore",
                    dir.resolve(trusted + ".p12").toString(),
                    "-storepass",
                    PASSWORD);
            keytool(
                    "-importcert",
                    "-noprompt",
                    "-alias",
                    trusted,
                    "-file",
                    certificate.toString(),
                    "-keystore",
                    store.toString(),
                    "-storetype",
                    TYPE,
                    "-storepass",
                    PASSWORD);
        }
        return store;
    }

    /**
     * The certificates of the key stores {@code names} as a PEM file, as a trust store of type
     * {@code PEM} holds them.
     */
    public Path pemTrustStore(String name, String... names)
            throws IOException, GeneralSecurityException {
        StringBuilder pem = new StringBuilder();
        for (String trusted : names) {
            pem.append(pem("CERTIFICATE", certificate(trusted).getEncoded()));
        }
        Path file = dir.resolve(name + ".pem");
        Files.writeString(file, pem, US_ASCII);
        return file;
    }

    /**
     * The key and certificate of the key store {@code name} as a PEM file, as a key store of type
     * {@code PEM} holds them: the PKCS#8 key, encrypted by {@code openssl pkcs8 -topk8} with {@code
     * keyPassword} unless it is null, then the certificate.
     */
    public Path pemKeyStore(String name, String keyPassword)
            throws IOException, GeneralSecurityException, InterruptedException {
        KeyStore store = load(dir.resolve(name + ".p12"));
        String key = pem("PRIVATE KEY", store.getKey(name, PASSWORD.toCharArray()).getEncoded());
        if (keyPassword != null) {
            Path plain = dir.resolve(name + "-key.pem");
            Path encrypted = dir.resolve(name + "-key-encrypted.pem");
            Files.writeString(plain, key, US_ASCII);
            run(
                    "openssl",
                    "pkcs8",
                    "-topk8",
                    "-v2",
                    "aes-256-cbc",
                    "-in",
                    plain.toString(),
                    "-out",
                    encrypted.toString(),
                    "-passout",
                    "pass:" + keyPassword);
            key = Files.readString(encrypted, US_ASCII);
        }
        Path file = dir.resolve(name + (keyPassword == null ? "" : "-encrypted") + ".pem");
        Files.writeString(
                file, key + pem("CERTIFICATE", store.getCertificate(name).getEncoded()), US_ASCII);
        return file;
    }

    private Certificate certificate(String name) throws IOException, GeneralSecurityException {
        return load(dir.resolve(name + ".p12")).getCertificate(name);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN "
                + type
                + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(der)
                + "\n-----END "
                + type
                + "-----\n";
    }

    /** A store written by this class, loaded. */
    public static KeyStore load(Path store) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance(TYPE);
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        return keys;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        run(command.toArray(String[]::new));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
