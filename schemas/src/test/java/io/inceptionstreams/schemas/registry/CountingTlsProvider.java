package io.inceptionstreams.schemas.registry;

import java.security.InvalidAlgorithmParameterException;
import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.security.Security;
import java.security.UnrecoverableKeyException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;

/**
 * A security provider whose TLSv1.3 context, key and trust manager factories and random source
 * ({@value #ALGORITHM}) hand the work to the JVM's own and count their use, so a test can tell
 * which of them a TLS context was made of.
 */
public final class CountingTlsProvider extends Provider {
    static final String NAME = "InceptionCountingTls";
    static final String ALGORITHM = "Counting";

    /** TLS engines the provider's contexts made (one per connection, one per handshake check). */
    static final AtomicInteger ENGINES = new AtomicInteger();

    static final AtomicInteger TRUST_MANAGERS = new AtomicInteger();
    static final AtomicInteger KEY_MANAGERS = new AtomicInteger();
    static final AtomicInteger RANDOM_BYTES = new AtomicInteger();

    public CountingTlsProvider() {
        super(NAME, "1.0", "counts what a TLS context is made of");
        put("SSLContext.TLSv1.3", Context.class.getName());
        put("TrustManagerFactory." + ALGORITHM, TrustFactory.class.getName());
        put("KeyManagerFactory." + ALGORITHM, KeyFactory.class.getName());
        put("SecureRandom." + ALGORITHM, RandomSource.class.getName());
    }

    /** Registers the provider, last, with its counts at zero. */
    static void install() {
        reset();
        Security.addProvider(new CountingTlsProvider());
    }

    static void uninstall() {
        Security.removeProvider(NAME);
    }

    static void reset() {
        ENGINES.set(0);
        TRUST_MANAGERS.set(0);
        KEY_MANAGERS.set(0);
        RANDOM_BYTES.set(0);
    }

    private static Provider jvmProvider(String name) {
        return Security.getProvider(name);
    }

    /** The JVM's TLSv1.3 context, counting the engines it makes. */
    public static final class Context extends SSLContextSpi {
        private final SSLContext delegate;

        public Context() throws NoSuchAlgorithmException {
            delegate = SSLContext.getInstance("TLSv1.3", jvmProvider("SunJSSE"));
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
                throws KeyManagementException {
            delegate.init(km, tm, random);
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return delegate.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return delegate.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            ENGINES.incrementAndGet();
            return delegate.createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            ENGINES.incrementAndGet();
            return delegate.createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return delegate.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return delegate.getSupportedSSLParameters();
        }
    }

    /** The JVM's PKIX trust manager factory, counting the managers it hands out. */
    public static final class TrustFactory extends TrustManagerFactorySpi {
        private final TrustManagerFactory delegate;

        public TrustFactory() throws NoSuchAlgorithmException {
            delegate = TrustManagerFactory.getInstance("PKIX", jvmProvider("SunJSSE"));
        }

        @Override
        protected void engineInit(KeyStore store) throws KeyStoreException {
            delegate.init(store);
        }

        @Override
        protected void engineInit(ManagerFactoryParameters parameters)
                throws InvalidAlgorithmParameterException {
            delegate.init(parameters);
        }

        @Override
        protected TrustManager[] engineGetTrustManagers() {
            TRUST_MANAGERS.incrementAndGet();
            return delegate.getTrustManagers();
        }
    }

    /** The JVM's SunX509 key manager factory, counting the managers it hands out. */
    public static final class KeyFactory extends KeyManagerFactorySpi {
        private final KeyManagerFactory delegate;

        public KeyFactory() throws NoSuchAlgorithmException {
            delegate = KeyManagerFactory.getInstance("SunX509", jvmProvider("SunJSSE"));
        }

        @Override
        protected void engineInit(KeyStore store, char[] password)
                throws KeyStoreException, NoSuchAlgorithmException, UnrecoverableKeyException {
            delegate.init(store, password);
        }

        @Override
        protected void engineInit(ManagerFactoryParameters parameters)
                throws InvalidAlgorithmParameterException {
            delegate.init(parameters);
        }

        @Override
        protected KeyManager[] engineGetKeyManagers() {
            KEY_MANAGERS.incrementAndGet();
            return delegate.getKeyManagers();
        }
    }

    /** The JVM's default random source, counting the bytes asked of it. */
    public static final class RandomSource extends SecureRandomSpi {
        private final SecureRandom delegate = new SecureRandom();

        @Override
        protected void engineSetSeed(byte[] seed) {
            delegate.setSeed(seed);
        }

        @Override
        protected void engineNextBytes(byte[] bytes) {
            RANDOM_BYTES.addAndGet(bytes.length);
            delegate.nextBytes(bytes);
        }

        @Override
        protected byte[] engineGenerateSeed(int count) {
            return delegate.generateSeed(count);
        }
    }
}
