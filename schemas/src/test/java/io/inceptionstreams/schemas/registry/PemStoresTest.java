package io.inceptionstreams.schemas.registry;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.schemas.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM files as key and trust stores, against the keytool-made PKCS12 stores they copy. */
class PemStoresTest {
    private static final char[] KEY_PASSWORD = "key-secret".toCharArray();

    @TempDir static Path dir;

    private static KeyStore original;
    private static String plainKey;
    private static String encryptedKey;

    @BeforeAll
    static void makeCertificates() throws Exception {
        TestCertificates certificates = new TestCertificates(dir);
        original = TestCertificates.load(certificates.keyStore("client", "dns:client"));
        certificates.keyStore("registry", "ip:127.0.0.1");
        plainKey = Files.readString(certificates.pemKeyStore("client", null), US_ASCII);
        encryptedKey =
                Files.readString(
                        certificates.pemKeyStore("client", new String(KEY_PASSWORD)), US_ASCII);
    }

    @Test
    void shouldTrustEveryCertificateOfTheFile() throws Exception {
        String pem =
                Files.readString(
                        new TestCertificates(dir).pemTrustStore("trust", "client", "registry"),
                        US_ASCII);

        KeyStore trust = PemStores.trustStore(pem);

        assertThat(trust.size()).isEqualTo(2);
        assertThat(trust.getCertificateAlias(original.getCertificate("client"))).isNotNull();
    }

    @Test
    void shouldReadThePlainAndTheEncryptedKeyWithTheirCertificate() throws Exception {
        // The entry is protected by the key's password, or by an empty one without
        assertSameKeyAndCertificate(PemStores.keyStore(plainKey, null), new char[0]);
        assertSameKeyAndCertificate(PemStores.keyStore(encryptedKey, KEY_PASSWORD), KEY_PASSWORD);
    }

    private static void assertSameKeyAndCertificate(KeyStore keys, char[] entryPassword)
            throws Exception {
        Key expected = original.getKey("client", TestCertificates.PASSWORD.toCharArray());
        assertThat(keys.getKey("key", entryPassword).getEncoded()).isEqualTo(expected.getEncoded());
        assertThat(keys.getCertificateChain("key"))
                .containsExactly(original.getCertificate("client"));
    }

    @Test
    void shouldSayWhatIsMissingOrWrong() {
        assertThatThrownBy(() -> PemStores.keyStore(encryptedKey, null))
                .isInstanceOf(KeyStoreException.class)
                .hasMessageContaining("encrypted")
                .hasMessageContaining(SchemaRegistryClientConfig.SSL_KEY_PASSWORD);
        assertThatThrownBy(() -> PemStores.keyStore(encryptedKey, "wrong".toCharArray()))
                .isInstanceOf(KeyStoreException.class)
                .hasMessageContaining("cannot decrypt");
        String keyOnly = plainKey.substring(0, plainKey.indexOf("-----BEGIN CERTIFICATE"));
        assertThatThrownBy(() -> PemStores.keyStore(keyOnly, null))
                .isInstanceOf(KeyStoreException.class)
                .hasMessageContaining("certificate chain");
        String pkcs1 =
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"
                        + plainKey.substring(plainKey.indexOf("-----BEGIN CERTIFICATE"));
        assertThatThrownBy(() -> PemStores.keyStore(pkcs1, null))
                .isInstanceOf(KeyStoreException.class)
                .hasMessageContaining("RSA PRIVATE KEY block is not PKCS#8")
                .hasMessageContaining("openssl pkcs8 -topk8");
        assertThatThrownBy(() -> PemStores.trustStore(keyOnly))
                .isInstanceOf(KeyStoreException.class)
                .hasMessageContaining("no -----BEGIN CERTIFICATE----- block");
    }
}
