package io.inceptionstreams.schemas.registry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Key and trust stores read from PEM text, as Kafka's {@code ssl.keystore.type=PEM} reads them: a
 * trust store is one or more {@code CERTIFICATE} blocks; a key store is a PKCS#8 {@code PRIVATE
 * KEY} (or an {@code ENCRYPTED PRIVATE KEY}, with its password) followed by its certificate chain,
 * the client's own certificate first. The stores are built in memory, the key entry protected by
 * the password it was given (empty without one).
 */
final class PemStores {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final String CERTIFICATE = "CERTIFICATE";
    private static final String PRIVATE_KEY = "PRIVATE KEY";
    private static final String ENCRYPTED_PRIVATE_KEY = "ENCRYPTED PRIVATE KEY";
    private static final Pattern NOT_PKCS8 =
            Pattern.compile("-----BEGIN ((RSA|EC|DSA) PRIVATE KEY)-----");

    /** The key algorithms a PKCS#8 key is tried against, in this order. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA", "DSA");

    private PemStores() {}

    /** A trust store of every certificate in {@code pem}. */
    static KeyStore trustStore(String pem) throws GeneralSecurityException, IOException {
        List<Certificate> certificates = certificates(blocks(pem, CERTIFICATE));
        if (certificates.isEmpty()) {
            throw new KeyStoreException("no -----BEGIN CERTIFICATE----- block in the PEM text");
        }
        KeyStore store = emptyStore();
        for (int i = 0; i < certificates.size(); i++) {
            store.setCertificateEntry("certificate-" + i, certificates.get(i));
        }
        return store;
    }

    /**
     * A key store of the private key and certificate chain in {@code pem}.
     *
     * @param password the key's password when it is encrypted, and the entry's; null for none
     */
    static KeyStore keyStore(String pem, char[] password)
            throws GeneralSecurityException, IOException {
        List<byte[]> plain = blocks(pem, PRIVATE_KEY);
        List<byte[]> encrypted = blocks(pem, ENCRYPTED_PRIVATE_KEY);
        if (plain.size() + encrypted.size() != 1) {
            throw new KeyStoreException(
                    "expected one PKCS#8 -----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED"
                            + " PRIVATE KEY----- block in the PEM text, found "
                            + (plain.size() + encrypted.size())
                            + unsupportedKeyHint(pem));
        }
        List<Certificate> chain = certificates(blocks(pem, CERTIFICATE));
        if (chain.isEmpty()) {
            throw new KeyStoreException(
                    "no -----BEGIN CERTIFICATE----- block (the key's certificate chain) in"
                            + " the PEM text");
        }
        PKCS8EncodedKeySpec spec =
                plain.isEmpty()
                        ? decrypt(encrypted.get(0), password)
                        : new PKCS8EncodedKeySpec(plain.get(0));
        KeyStore store = emptyStore();
        store.setKeyEntry(
                "key",
                privateKey(spec),
                password == null ? new char[0] : password,
                chain.toArray(Certificate[]::new));
        return store;
    }

    private static String unsupportedKeyHint(String pem) {
        Matcher legacy = NOT_PKCS8.matcher(pem);
        return legacy.find()
                ? " (a "
                        + legacy.group(1)
                        + " block is not PKCS#8: convert it with"
                        + " 'openssl pkcs8 -topk8 -in KEY -out KEY8 [-nocrypt]')"
                : "";
    }

    private static PKCS8EncodedKeySpec decrypt(byte[] der, char[] password)
            throws GeneralSecurityException, IOException {
        if (password == null) {
            throw new KeyStoreException(
                    "the private key is encrypted: set "
                            + SchemaRegistryClientConfig.SSL_KEY_PASSWORD
                            + " to its password");
        }
        EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
        AlgorithmParameters parameters = info.getAlgParameters();
        // PBES2 (what 'openssl pkcs8 -topk8' writes) is named by its parameters, e.g.
        // PBEWithHmacSHA256AndAES_256; older schemes by the algorithm itself.
        String algorithm =
                "PBES2".equalsIgnoreCase(info.getAlgName())
                        ? parameters.toString()
                        : info.getAlgName();
        Cipher cipher = Cipher.getInstance(algorithm);
        cipher.init(
                Cipher.DECRYPT_MODE,
                SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(password)),
                parameters);
        try {
            return info.getKeySpec(cipher);
        } catch (InvalidKeySpecException e) {
            throw new KeyStoreException(
                    "cannot decrypt the private key (wrong "
                            + SchemaRegistryClientConfig.SSL_KEY_PASSWORD
                            + "?)",
                    e);
        }
    }

    private static PrivateKey privateKey(PKCS8EncodedKeySpec spec) throws GeneralSecurityException {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException notThisAlgorithm) {
                // Try the next one.
            }
        }
        throw new KeyStoreException("the private key is none of " + KEY_ALGORITHMS);
    }

    private static List<Certificate> certificates(List<byte[]> blocks)
            throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<Certificate> certificates = new ArrayList<>();
        for (byte[] der : blocks) {
            certificates.add(factory.generateCertificate(new ByteArrayInputStream(der)));
        }
        return certificates;
    }

    /** The decoded bodies of the {@code type} blocks of {@code pem}, in their order. */
    private static List<byte[]> blocks(String pem, String type) throws KeyStoreException {
        List<byte[]> blocks = new ArrayList<>();
        Matcher block = BLOCK.matcher(pem);
        while (block.find()) {
            if (block.group(1).equals(type)) {
                try {
                    blocks.add(Base64.getMimeDecoder().decode(block.group(2)));
                } catch (IllegalArgumentException e) {
                    throw new KeyStoreException("a " + type + " block is not base64: " + e);
                }
            }
        }
        return blocks;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }
}
