package io.inceptionstreams.streams.engine;

import io.inceptionstreams.schemas.avro.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * that keep a producer from reading arbitrary files, reaching internal services, or making the
 * service download without bound:
 *
 * <ul>
 *   <li>{@code file:} only regular files inside the allowed roots, judged on the real path, so
 *       {@code ..} and symlinks that lead out of a root are rejected, and so are directories,
 *       devices and FIFOs (whose opening alone would block a thread until a writer came);
 *   <li>{@code http:} and {@code https:} only when enabled, to public addresses unless {@code
 *       reference.http.allow.private}, within a time limit that bounds every read and the image
 *       byte limit (checked against Content-Length and while reading); redirects are not followed
 *       (see {@link HttpImageFetcher});
 *   <li>anything else is rejected.
 * </ul>
 *
 * When the reference carries a sha256, the bytes must match it. Thread-safe.
 */
public final class ImageReferenceResolver {
    private final List<Path> fileRoots;
    private final boolean httpEnabled;
    private final long maxBytes;
    private final HttpImageFetcher http;

    /** As the full constructor, refusing http(s): references to non-public addresses. */
    public ImageReferenceResolver(
            List<Path> fileRoots, boolean httpEnabled, Duration httpTimeout, long maxBytes) {
        this(fileRoots, httpEnabled, false, httpTimeout, maxBytes);
    }

    /**
     * @param fileRoots directories file: references may point into; roots that do not exist are
     *     ignored, since nothing can be under them
     * @param httpEnabled whether http(s): references are fetched at all
     * @param httpAllowPrivate whether they may resolve to loopback, link-local, private,
     *     carrier-grade NAT, multicast or otherwise non-public addresses
     * @param httpTimeout the time limit of one fetch: connecting, the TLS handshake and reading the
     *     whole answer
     * @param maxBytes the largest image accepted, in bytes
     */
    public ImageReferenceResolver(
            List<Path> fileRoots,
            boolean httpEnabled,
            boolean httpAllowPrivate,
            Duration httpTimeout,
            long maxBytes) {
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
        this.maxBytes = maxBytes;
        this.http =
                httpEnabled ? new HttpImageFetcher(httpTimeout, maxBytes, httpAllowPrivate) : null;
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
        // Checked on the real path, which holds no symlinks, before anything opens it: opening a
        // FIFO for reading blocks until a writer comes, and a device may never end.
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageReferenceException(
                    RejectionReason.REFERENCE_NOT_ALLOWED,
                    "reference "
                            + uri
                            + " resolves to "
                            + real
                            + ", which is not a regular file (reference.file.roots)");
        }
        try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
            long size = Files.size(real);
            if (size > maxBytes) {
                throw tooLarge(uri, OptionalLong.of(size), maxBytes);
            }
            // The file may grow between the size and the read: read one byte past the limit.
            byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > maxBytes) {
                throw tooLarge(uri, OptionalLong.empty(), maxBytes);
            }
            return bytes;
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
        return http.fetch(uri);
    }

    static ImageReferenceException tooLarge(URI uri, OptionalLong size, long maxBytes) {
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
