package io.inceptionstreams.streams.engine;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches one {@code http:} or {@code https:} image with a plain HTTP/1.1 GET over a socket the
 * fetcher connects itself, because {@code java.net.http} (JDK 17) can do none of the three things a
 * producer-chosen URL needs:
 *
 * <ul>
 *   <li><b>Every read bounded.</b> The client's request timeout ends when the headers arrive, and
 *       its body streams block without limit, so a server that sends headers and then nothing held
 *       a thread for ever. Here the socket's {@code SO_TIMEOUT} is set before every read to the
 *       time left of {@code reference.http.timeout.ms}: connecting, the TLS handshake, the headers
 *       and the body together end by that deadline, even when the server trickles a byte at a time.
 *   <li><b>The checked address is the connected address.</b> The host is resolved once, every
 *       address it resolves to is checked (loopback, private, link-local, ... are refused unless
 *       {@code reference.http.allow.private}), and the socket connects to a checked address, so a
 *       DNS answer cannot change between the check and the connection (DNS rebinding). The JDK
 *       client resolves the name itself and offers no resolver hook before JDK 18; sending its
 *       request to the IP literal with a {@code Host} header instead needs the restricted-header
 *       system property for the whole JVM and breaks https, whose certificate is for the name.
 *   <li><b>https still verified against the name.</b> The TLS socket is layered over the connected
 *       socket with the host name, which JSSE uses for SNI, and with endpoint identification {@code
 *       HTTPS}, so the certificate must match the name, exactly as the JDK client checks.
 * </ul>
 *
 * <p>The request asks for no compression and {@code Connection: close}; the response may be sized
 * by {@code Content-Length}, chunked, or end with the connection. Redirects are not followed. The
 * fetcher honours no proxy settings: a proxy would resolve and connect on its own, which would
 * bypass the address check.
 *
 * <p>Failure messages go to the dead-letter headers, which the producer can read, so they never
 * carry what the server sent (status line, headers, body) or the text of the socket's exceptions:
 * only the URI, a fixed description and at most the status class. The details are logged at DEBUG.
 * Thread-safe: nothing is shared between fetches.
 */
final class HttpImageFetcher {

    private static final Logger log = LoggerFactory.getLogger(HttpImageFetcher.class);

    private static final int MAX_LINE = 8 * 1024;
    private static final int MAX_HEADERS = 100;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Duration timeout;
    private final long maxBytes;
    private final boolean allowPrivate;
    private final SSLSocketFactory tlsSockets;

    /** A fetcher whose https trusts what the JVM trusts (its default trust store). */
    HttpImageFetcher(Duration timeout, long maxBytes, boolean allowPrivate) {
        this(timeout, maxBytes, allowPrivate, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    HttpImageFetcher(
            Duration timeout, long maxBytes, boolean allowPrivate, SSLSocketFactory tlsSockets) {
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.allowPrivate = allowPrivate;
        this.tlsSockets = tlsSockets;
    }

    byte[] fetch(URI uri) throws ImageReferenceException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new ImageReferenceException(
                    RejectionReason.UNSUPPORTED_REFERENCE, "reference " + uri + " names no host");
        }
        String bareHost =
                host.startsWith("[") && host.endsWith("]")
                        ? host.substring(1, host.length() - 1)
                        : host;
        int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
        List<InetAddress> addresses = checkedAddresses(uri, bareHost);
        try (Socket socket = connect(uri, addresses, port, deadline)) {
            Socket channel = tls ? handshake(uri, socket, bareHost, port, deadline) : socket;
            OutputStream out = channel.getOutputStream();
            out.write(request(uri, host, port, tls).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Response response =
                    new Response(
                            uri,
                            new DeadlineInputStream(channel, channel.getInputStream(), deadline));
            return response.read();
        } catch (SocketTimeoutException e) {
            log.debug("fetching {} timed out", uri, e);
            throw unavailable(
                    uri,
                    "no complete answer within "
                            + timeout.toMillis()
                            + " ms (reference.http.timeout.ms)");
        } catch (IOException e) {
            log.debug("fetching {} failed", uri, e);
            throw unavailable(uri, "the connection failed or the answer was not valid HTTP");
        }
    }

    /** The addresses of {@code host}, all of which must be allowed. */
    private List<InetAddress> checkedAddresses(URI uri, String host)
            throws ImageReferenceException {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            log.debug("cannot resolve {}", host, e);
            throw unavailable(uri, "its host name does not resolve");
        }
        if (!allowPrivate) {
            for (InetAddress address : addresses) {
                Optional<String> kind = internalKind(address);
                if (kind.isPresent()) {
                    log.debug("refusing {}: {} is {}", uri, address, kind.get());
                    throw new ImageReferenceException(
                            RejectionReason.REFERENCE_NOT_ALLOWED,
                            "reference "
                                    + uri
                                    + " resolves to a "
                                    + kind.get()
                                    + " address, refused while"
                                    + " reference.http.allow.private is false");
                }
            }
        }
        return List.of(addresses);
    }

    private Socket connect(URI uri, List<InetAddress> addresses, int port, long deadline)
            throws ImageReferenceException, SocketTimeoutException {
        for (InetAddress address : addresses) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(address, port), remainingMillis(deadline));
                return socket;
            } catch (IOException e) {
                log.debug("cannot connect to {} port {} for {}", address, port, uri, e);
                closeQuietly(socket);
                if (e instanceof SocketTimeoutException timedOut) {
                    throw timedOut;
                }
            }
        }
        throw unavailable(uri, "could not connect to its host");
    }

    private Socket handshake(URI uri, Socket socket, String host, int port, long deadline)
            throws IOException, ImageReferenceException {
        SSLSocket tls = (SSLSocket) tlsSockets.createSocket(socket, host, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(host)) {
            parameters.setServerNames(List.of(new SNIHostName(host)));
        }
        tls.setSSLParameters(parameters);
        try {
            tls.setSoTimeout(remainingMillis(deadline));
            tls.startHandshake();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (SSLException e) {
            log.debug("TLS handshake for {} failed", uri, e);
            throw unavailable(uri, "the TLS handshake failed or its certificate was not trusted");
        }
        return tls;
    }

    private static String request(URI uri, String host, int port, boolean tls) {
        String path =
                uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        boolean defaultPort = port == (tls ? 443 : 80);
        return "GET "
                + target
                + " HTTP/1.1\r\nHost: "
                + host
                + (defaultPort ? "" : ":" + port)
                + "\r\nUser-Agent: inception-streams\r\nAccept: */*\r\n"
                + "Accept-Encoding: identity\r\nConnection: close\r\n\r\n";
    }

    /**
     * Why {@code address} is not on the public internet, or empty if it is: any-local (and
     * 0.0.0.0/8, which Linux connects to the local host), loopback, link-local (169.254.0.0/16,
     * fe80::/10), private (10/8, 172.16/12, 192.168/16, fc00::/7 and the deprecated fec0::/10),
     * carrier-grade NAT (100.64.0.0/10), multicast, and 240.0.0.0/4 (reserved, with the broadcast
     * address); IPv6 addresses that embed an IPv4 one (mapped, compatible, NAT64 64:ff9b::/96 and
     * 6to4 2002::/16) are judged by the IPv4 address.
     */
    static Optional<String> internalKind(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return Optional.of("any-local");
        }
        if (address.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("link-local");
        }
        if (address.isSiteLocalAddress()) {
            return Optional.of("private");
        }
        if (address.isMulticastAddress()) {
            return Optional.of("multicast");
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xFF;
            int second = b[1] & 0xFF;
            if (first == 0) {
                return Optional.of("this-network (0.0.0.0/8)");
            }
            if (first == 100 && (second & 0xC0) == 64) {
                return Optional.of("carrier-grade NAT");
            }
            if (first >= 240) {
                return Optional.of("reserved or broadcast");
            }
            return Optional.empty();
        }
        if (address instanceof Inet6Address) {
            if ((b[0] & 0xFE) == 0xFC) {
                return Optional.of("private (unique local)");
            }
            byte[] embedded = embeddedIpv4(b);
            if (embedded != null) {
                try {
                    return internalKind(InetAddress.getByAddress(embedded));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("4 bytes are an IPv4 address", e);
                }
            }
        }
        return Optional.empty();
    }

    private static byte[] embeddedIpv4(byte[] b) {
        boolean zeroPrefix = true;
        for (int i = 0; i < 10; i++) {
            zeroPrefix &= b[i] == 0;
        }
        if (zeroPrefix && ((b[10] == 0 && b[11] == 0) || (b[10] == -1 && b[11] == -1))) {
            return new byte[] {b[12], b[13], b[14], b[15]}; // compatible ::a.b.c.d, mapped
        }
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xFF && b[3] == (byte) 0x9B;
        for (int i = 4; i < 12 && nat64; i++) {
            nat64 = b[i] == 0;
        }
        if (nat64) {
            return new byte[] {b[12], b[13], b[14], b[15]};
        }
        if (b[0] == 0x20 && b[1] == 0x02) { // 6to4
            return new byte[] {b[2], b[3], b[4], b[5]};
        }
        return null;
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long nanos = deadline - System.nanoTime();
        if (nanos <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000));
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing was sent on it
        }
    }

    private static ImageReferenceException unavailable(URI uri, String why) {
        return new ImageReferenceException(
                RejectionReason.REFERENCE_UNAVAILABLE,
                "could not fetch the referenced image " + uri + ": " + why + " (reference.http.*)");
    }

    private ImageReferenceException tooLarge(URI uri, OptionalLong size) {
        return ImageReferenceResolver.tooLarge(uri, size, maxBytes);
    }

    /** Sets the socket's read timeout to the time left before every read. */
    private static final class DeadlineInputStream extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        DeadlineInputStream(Socket socket, InputStream in, long deadline) {
            this.socket = socket;
            this.in = in;
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            return in.read(b, off, len);
        }
    }

    /** The status, headers and body of one response, read within the limits. */
    private final class Response {
        private final URI uri;
        private final InputStream in;
        private final byte[] buffer = new byte[16 * 1024];
        private int start;
        private int end;

        Response(URI uri, InputStream in) {
            this.uri = uri;
            this.in = in;
        }

        byte[] read() throws IOException, ImageReferenceException {
            int status = status();
            while (status >= 100 && status < 200) { // interim answers (103 Early Hints)
                headers();
                status = status();
            }
            Headers headers = headers();
            if (status != 200) {
                throw unavailable(
                        uri,
                        status >= 300 && status < 400
                                ? "the server answered with a redirect (3xx), which is not followed"
                                : "the server answered with a "
                                        + status / 100
                                        + "xx status instead of 200");
            }
            if (headers.chunked) {
                return chunked();
            }
            if (headers.contentLength.isPresent() && !headers.encoded) {
                long length = headers.contentLength.getAsLong();
                if (length > maxBytes || length > MAX_ARRAY) {
                    throw tooLarge(uri, headers.contentLength);
                }
                return exactly((int) length);
            }
            return untilClosed();
        }

        private int status() throws IOException {
            String line = line();
            if (!line.matches("HTTP/1\\.[01] [0-9]{3}( .*)?")) {
                throw new IOException("not an HTTP/1.x status line");
            }
            return Integer.parseInt(line.substring(9, 12));
        }

        private Headers headers() throws IOException {
            Headers headers = new Headers();
            for (int count = 0; ; count++) {
                String line = line();
                if (line.isEmpty()) {
                    return headers;
                }
                if (count >= MAX_HEADERS) {
                    throw new IOException("more than " + MAX_HEADERS + " header lines");
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("a header line without a name");
                }
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                if (name.equals("transfer-encoding")) {
                    headers.chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
                    headers.encoded = true;
                } else if (name.equals("content-length")) {
                    long length;
                    try {
                        length = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IOException("a Content-Length that is not a number");
                    }
                    if (length < 0
                            || (headers.contentLength.isPresent()
                                    && headers.contentLength.getAsLong() != length)) {
                        throw new IOException("a negative or ambiguous Content-Length");
                    }
                    headers.contentLength = OptionalLong.of(length);
                }
            }
        }

        private byte[] chunked() throws IOException, ImageReferenceException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String line = line();
                int extension = line.indexOf(';');
                String size = (extension < 0 ? line : line.substring(0, extension)).trim();
                long length;
                try {
                    length = Long.parseLong(size, 16);
                } catch (NumberFormatException e) {
                    throw new IOException("a chunk size that is not hexadecimal");
                }
                if (length == 0) {
                    return body.toByteArray(); // trailers, if any, are not needed
                }
                if (length < 0 || body.size() + length > Math.min(maxBytes, MAX_ARRAY)) {
                    throw tooLarge(uri, OptionalLong.empty());
                }
                body.writeBytes(exactly((int) length));
                if (!line().isEmpty()) {
                    throw new IOException("a chunk longer than its size");
                }
            }
        }

        private byte[] exactly(int length) throws IOException {
            byte[] body = new byte[length];
            int filled = 0;
            while (filled < length) {
                if (start == end && !fill()) {
                    throw new EOFException("the connection closed before the body ended");
                }
                int n = Math.min(length - filled, end - start);
                System.arraycopy(buffer, start, body, filled, n);
                start += n;
                filled += n;
            }
            return body;
        }

        private byte[] untilClosed() throws IOException, ImageReferenceException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (start < end || fill()) {
                body.write(buffer, start, end - start);
                start = end;
                if (body.size() > Math.min(maxBytes, MAX_ARRAY)) {
                    throw tooLarge(uri, OptionalLong.empty());
                }
            }
            return body.toByteArray();
        }

        /** One line without its CR LF, at most {@link #MAX_LINE} bytes. */
        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            while (true) {
                if (start == end && !fill()) {
                    throw new EOFException("the connection closed inside a line");
                }
                byte c = buffer[start++];
                if (c == '\n') {
                    int length = line.length();
                    if (length > 0 && line.charAt(length - 1) == '\r') {
                        line.setLength(length - 1);
                    }
                    return line.toString();
                }
                if (line.length() >= MAX_LINE) {
                    throw new IOException("a line longer than " + MAX_LINE + " bytes");
                }
                line.append((char) (c & 0xFF));
            }
        }

        private boolean fill() throws IOException {
            int n = in.read(buffer, 0, buffer.length);
            if (n <= 0) {
                return false;
            }
            start = 0;
            end = n;
            return true;
        }
    }

    private static final class Headers {
        boolean chunked;
        boolean encoded;
        OptionalLong contentLength = OptionalLong.empty();
    }
}
