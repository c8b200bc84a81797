package io.inceptionstreams.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TcpProxyTest {
    private ServerSocket echo;
    private final ExecutorService echoThreads = Executors.newCachedThreadPool();
    private TcpProxy proxy;

    @BeforeEach
    void startEchoServerAndProxy() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThreads.execute(
                () -> {
                    while (!echo.isClosed()) {
                        try {
                            Socket socket = echo.accept();
                            echoThreads.execute(() -> echoBack(socket));
                        } catch (IOException e) {
                            return;
                        }
                    }
                });
        proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
        echoThreads.shutdownNow();
    }

    @Test
    void shouldForwardBytesBothWays() throws IOException {
        // Given a connection through the proxy
        try (Socket socket = connect()) {
            // When a line is sent, Then the echo server's answer comes back
            assertThat(roundTrip(socket, "hello")).isEqualTo("hello");
        }
    }

    @Test
    void shouldDropOpenConnectionsAndResetNewOnesWhenCutToRefuseUntilRestored() throws IOException {
        // Given an open connection through the proxy
        try (Socket before = connect()) {
            assertThat(roundTrip(before, "one")).isEqualTo("one");

            // When the proxy is cut to refuse
            proxy.cut(TcpProxy.Cut.REFUSE);

            // Then the open connection and a new one both end without an answer
            assertThat(readsNothing(before)).isTrue();
            try (Socket during = connect()) {
                assertThat(readsNothing(during)).isTrue();
            }
        }

        // And when restored, a new connection is forwarded again
        proxy.restore();
        try (Socket after = connect()) {
            assertThat(roundTrip(after, "two")).isEqualTo("two");
        }
    }

    @Test
    void shouldAcceptButNeverAnswerWhenCutToBlackholeUntilRestored() throws IOException {
        // Given a proxy cut to blackhole
        proxy.cut(TcpProxy.Cut.BLACKHOLE);

        // When a client connects and sends, Then it is accepted but gets no answer in time
        try (Socket during = connect()) {
            during.setSoTimeout(500);
            write(during, "lost");
            assertThatThrownBy(() -> during.getInputStream().read())
                    .isInstanceOf(SocketTimeoutException.class);

            // And when restored, the blackholed connection is dropped and new ones work
            proxy.restore();
            during.setSoTimeout(5_000);
            assertThat(readsNothing(during)).isTrue();
        }
        try (Socket after = connect()) {
            assertThat(roundTrip(after, "back")).isEqualTo("back");
        }
        assertThat(proxy.acceptedConnections()).isEqualTo(2);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        write(socket, text);
        byte[] answer = socket.getInputStream().readNBytes(text.length());
        return new String(answer, StandardCharsets.UTF_8);
    }

    private static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Whether the connection ends (closed or reset) before any byte arrives. */
    private static boolean readsNothing(Socket socket) {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static void echoBack(Socket socket) {
        try (socket;
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // The client went away.
        }
    }
}
