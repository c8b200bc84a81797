package io.inceptionstreams.streams.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP server on 127.0.0.1 that answers every request with whatever its handler writes to the
 * raw socket, so tests can send what a real server would not: headers and then silence, a trickle,
 * a status line naming internal hosts.
 */
final class RawHttpServer implements AutoCloseable {

    /** Writes the answer to one request, given its request line. */
    @FunctionalInterface
    interface Handler {
        void answer(String requestLine, OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    RawHttpServer(Handler handler) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor =
                new Thread(
                        () -> {
                            while (!server.isClosed()) {
                                try {
                                    Socket socket = server.accept();
                                    connections.add(socket);
                                    Thread serving = new Thread(() -> serve(socket, handler));
                                    serving.setDaemon(true);
                                    serving.start();
                                } catch (IOException e) {
                                    return;
                                }
                            }
                        },
                        "raw-http");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void serve(Socket socket, Handler handler) {
        try {
            BufferedReader in =
                    new BufferedReader(
                            new InputStreamReader(
                                    socket.getInputStream(), StandardCharsets.US_ASCII));
            String requestLine = in.readLine();
            for (String line = in.readLine(); line != null && !line.isEmpty(); ) {
                line = in.readLine();
            }
            OutputStream out = socket.getOutputStream();
            handler.answer(requestLine, out);
            out.flush();
            socket.close();
        } catch (IOException | InterruptedException e) {
            // the client went away, or the test is over
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : connections) {
            socket.close();
        }
    }

    /** Writes {@code text} as ASCII. */
    static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
