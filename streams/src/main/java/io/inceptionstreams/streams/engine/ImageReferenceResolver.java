package io.inceptionstreams.streams.engine;

import io.inceptionstreams.schemas.avro.ImageReference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Fetches the encoded bytes of an image sent by reference (the claim-check pattern), under rules
 * that keep a producer from reading arbitrary files or making the service download without bound:
 *
 * <ul>
 *   <li>{@code file:} only inside the allowed roots, judged on the real path, so {@code ..} and
 *       symlinks that lead out of a root are rejected;
 *   <li>{@code http:} and {@code https:} only when enabled, within a time limit and the image byte
 *       limit (checked against Content-Length and while reading); redirects are not followed;
 *   <li>anything else is rejected.
 * </ul>
 *
 * When the reference carries a sha256, the bytes must match it. Thread-safe.
 */
public final class ImageReferenceResolver {
    private final List<Path> fileRoots;
    private final boolean httpEnabled;
    private final Duration httpTimeout;
    private final long maxBytes;
    private final HttpClient http;

    /**
     * @param fileRoots directories file: references may point into; roots that do not exist are
     *     ignored, since nothing can be under them
     */
    public ImageReferenceResolver(
            List<Path> fileRoots, boolean httpEnabled, Duration httpTimeout, long maxBytes) {
        List<Path> realRoots = new ArrayList<>();
        for (Path root : fileRoots) {
            try {
                realRoots.add(root.toRealPath());
            } catch (IOException e) {
                // A missing root allows nothing; it may be created later, but then a restart is
                // needed, which keeps the allowed set fixed for the life of the process.
            }
        }
        this.fileRoots = List.copyOf(realRoots);
        this.httpEnabled = httpEnabled;
        this.httpTimeout = httpTimeout;
        this.maxBytes = maxBytes;
        this.http =
                httpEnabled
                        ? HttpClient.newBuilder()
                                .connectTimeout(httpTimeout)
                                .followRedirects(HttpClient.Redirect.NEVER)
                                .build()
                        : null;
    }

    /** The encoded image the reference points to. */
    public byte[] resolve(ImageReference reference) throws ImageReferenceException {
        String text = reference.getUri().toString();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ImageReferenceException(
                    RejectionReason.UNSUPPORTED_REFERENCE, "malformed reference URI " + text, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        byte[] bytes =
                switch (scheme) {
                    case "file" -> readFile(uri);
                    case "http", "https" -> download(uri);
                    default ->
                            throw new ImageReferenceException(
                                    RejectionReason.UNSUPPORTED_REFERENCE,
                                    "reference "
                                            + text
                                            + " has an unsupported scheme; only file:, http: and"
                                            + " https: are followed");
                };
        if (reference.getSha256() != null) {
            checkSha256(text, bytes, reference.getSha256().toString());
        }
        return bytes;
    }

    private byte[] readFile(URI uri) throws ImageReferenceException {
        Path real;
        try {
            real = Path.of(uri).toRealPath();
        } catch (NoSuchFileException e) {
            throw new ImageReferenceException(
                    RejectionReason.REFERENCE_UNAVAILABLE, "referenced file not found: " + uri, e);
        } catch (IOException | IllegalArgumentException e) {
            throw new ImageReferenceException(
                    RejectionReason.REFERENCE_UNAVAILABLE,
                    "cannot resolve reference " + uri + ": " + e.getMessage(),
                    e);
        }
        if (fileRoots.stream().noneMatch(real::startsWith)) {
            throw new ImageReferenceException(
                    RejectionReason.REFERENCE_NOT_ALLOWED,
                    "reference "
                            + uri
                            + " resolves to "
                            + real
                            + ", outside the allowed roots "
                            + fileRoots
                            + " (reference.file.roots)");
        }
        try {
            long size = Files.size(real);
            if (size > maxBytes) {
                throw tooLarge(uri, OptionalLong.of(size));
            }
            return Files.readAllBytes(real);
        } catch (IOException e) {
            throw new ImageReferenceException(
                    RejectionReason.REFERENCE_UNAVAILABLE,
                    "cannot read " + uri + ": " + e.getMessage(),
                    e);
        }
    }

    private byte[] download(URI uri) throws ImageReferenceException {
        if (!httpEnabled) {
            throw new ImageReferenceException(
                    RejectionReason.UNSUPPORTED_REFERENCE,
                    "reference " + uri + " is http(s) but reference.http.enabled is false");
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(httpTimeout).GET().build();
        long deadline = System.nanoTime() + httpTimeout.toNanos();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ImageReferenceException(
                    RejectionReason.REFERENCE_UNAVAILABLE, "cannot fetch " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageReferenceException(
                    RejectionReason.REFERENCE_UNAVAILABLE, "interrupted fetching " + uri, e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new ImageReferenceException(
                        RejectionReason.REFERENCE_UNAVAILABLE,
                        "fetching " + uri + " answered HTTP " + response.statusCode());
            }
            OptionalLong declared = response.headers().firstValueAsLong("Content-Length");
            if (declared.isPresent() && declared.getAsLong() > maxBytes) {
                throw tooLarge(uri, declared);
            }
            return readBounded(uri, body, deadline);
        } catch (IOException e) {
            throw new ImageReferenceException(
                    RejectionReason.REFERENCE_UNAVAILABLE, "cannot download " + uri + ": " + e, e);
        }
    }

    /**
     * Reads at most {@code maxBytes}, failing past the deadline: the request timeout covers only
     * the wait for the response headers, so a slow body needs its own bound.
     */
    private byte[] readBounded(URI uri, InputStream body, long deadline)
            throws IOException, ImageReferenceException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
            out.write(buffer, 0, n);
            if (out.size() > maxBytes) {
                throw tooLarge(uri, OptionalLong.empty());
            }
            if (System.nanoTime() > deadline) {
                throw new ImageReferenceException(
                        RejectionReason.REFERENCE_UNAVAILABLE,
                        "downloading "
                                + uri
                                + " took longer than "
                                + httpTimeout.toMillis()
                                + " ms (reference.http.timeout.ms)");
            }
        }
        return out.toByteArray();
    }

    private ImageReferenceException tooLarge(URI uri, OptionalLong size) {
        return new ImageReferenceException(
                RejectionReason.TOO_LARGE,
                "referenced image "
                        + uri
                        + (size.isPresent() ? " has " + size.getAsLong() + " bytes," : " is")
                        + " over the limit of "
                        + maxBytes
                        + " bytes (image.max.bytes)");
    }

    private static void checkSha256(String uri, byte[] bytes, String expected)
            throws ImageReferenceException {
        String actual;
        try {
            actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        if (!actual.equalsIgnoreCase(expected.strip())) {
            throw new ImageReferenceException(
                    RejectionReason.CHECKSUM_MISMATCH,
                    "referenced image " + uri + " has sha256 " + actual + ", expected " + expected);
        }
    }
}
