package io.inceptionstreams.cli.client;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

/** How producers of this project build {@link ImageEvent}s: inline bytes or a file reference. */
public final class ImageEvents {

    /** The attribute holding an image's true label, when the producer knows it. */
    public static final String TRUE_LABEL = "label";

    private ImageEvents() {}

    /** An event carrying the encoded image itself. */
    public static ImageEvent inline(String id, byte[] encoded, Map<String, String> attributes) {
        return ImageEvent.newBuilder()
                .setId(id)
                .setImage(ByteBuffer.wrap(encoded))
                .setContentType(null)
                .setProducedAt(Instant.now())
                .setAttributes(Map.copyOf(attributes))
                .build();
    }

    /**
     * An event pointing at {@code file} (a {@code file:} URI of its absolute real path), with its
     * SHA-256 and size so the service can verify what it reads. The service must list a parent of
     * the file in {@code reference.file.roots}.
     */
    public static ImageEvent reference(String id, Path file, Map<String, String> attributes)
            throws IOException {
        Path real = file.toRealPath();
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        long size;
        try (InputStream in = new DigestInputStream(Files.newInputStream(real), sha256)) {
            size = in.transferTo(OutputStream.nullOutputStream());
        }
        return ImageEvent.newBuilder()
                .setId(id)
                .setImage(
                        ImageReference.newBuilder()
                                .setUri(real.toUri().toString())
                                .setSha256(HexFormat.of().formatHex(sha256.digest()))
                                .setSizeBytes(size)
                                .build())
                .setContentType(null)
                .setProducedAt(Instant.now())
                .setAttributes(Map.copyOf(attributes))
                .build();
    }
}
