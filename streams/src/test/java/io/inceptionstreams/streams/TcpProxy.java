package io.inceptionstreams.streams;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback for tests of a peer that goes away: it listens on {@code 127.0.0.1} on a
 * random port and forwards every connection to a target, until {@link #cut(Cut)} drops them all and
 * treats new ones as the given {@link Cut} says, until {@link #restore()}.
 */
public final class TcpProxy implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    /** What becomes of connections while the proxy is cut. */
    public enum Cut {
        /** Accepted and closed at once with a reset: the peer is down, callers fail fast. */
        REFUSE,
        /**
         * Accepted and never answered nor closed: the peer is unreachable, callers wait for their
         * own timeouts.
         */
        BLACKHOLE
    }

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads =
            Executors.newCachedThreadPool(
                    task -> {
                        Thread thread = new Thread(task, "tcp-proxy");
                        thread.setDaemon(true);
                        return thread;
                    });
    private final AtomicInteger accepted = new AtomicInteger();
    private Cut cut;

    private TcpProxy(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    /** Starts a proxy to {@code host:port}, forwarding. */
    public static TcpProxy start(String host, int port) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        TcpProxy proxy = new TcpProxy(server, new InetSocketAddress(host, port));
        proxy.threads.execute(proxy::acceptLoop);
        return proxy;
    }

    /** The port the proxy listens on, on {@code 127.0.0.1}. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:port} of the proxy. */
    public String address() {
        return server.getInetAddress().getHostAddress() + ":" + port();
    }

    /** How many connections the proxy has accepted so far, in any mode. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /**
     * Drops every open connection and, until {@link #restore()}, handles new ones as {@code how}.
     */
    public synchronized void cut(Cut how) {
        cut = how;
        closeOpen();
    }

    /**
     * Forwards new connections again. Connections held while blackholed are closed, as a peer would
     * find them broken after the outage.
     */
    public synchronized void restore() {
        cut = null;
        closeOpen();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            threads.execute(() -> handle(client));
        }
    }

    private void handle(Socket client) {
        Cut how;
        synchronized (this) {
            how = cut;
            if (how == Cut.BLACKHOLE) {
                open.add(client);
                return;
            }
        }
        if (how == Cut.REFUSE) {
            reset(client);
            return;
        }
        Socket upstream = new Socket();
        try {
            upstream.connect(target, CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            reset(client);
            closeQuietly(upstream);
            return;
        }
        synchronized (this) {
            if (cut != null) {
                // Cut while connecting: treat it as any connection open at the cut.
                closeQuietly(upstream);
                if (cut == Cut.BLACKHOLE) {
                    open.add(client);
                } else {
                    reset(client);
                }
                return;
            }
            open.add(client);
            open.add(upstream);
        }
        threads.execute(() -> pump(client, upstream));
        threads.execute(() -> pump(upstream, client));
    }

    /** Copies {@code from} to {@code to} until either ends, then closes both. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            for (int read; (read = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // A closed or reset side ends the connection.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private synchronized void closeOpen() {
        List<Socket> sockets = new ArrayList<>(open);
        open.clear();
        sockets.forEach(TcpProxy::reset);
    }

    /** Closes with a reset rather than a FIN, as a crashed peer's host would answer. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // Already closed.
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing to do for a test proxy.
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            closeOpen();
            threads.shutdownNow();
            try {
                threads.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
