package io.inceptionstreams.model.preprocess;

import java.util.Optional;

/** The encoded image formats the decoder recognizes, identified by their leading bytes. */
public enum ImageFormat {
    JPEG("JPEG", "jpeg"),
    PNG("PNG", "png"),
    GIF("GIF", "gif"),
    BMP("BMP", "bmp"),
    WEBP("WebP", "webp");

    private final String displayName;
    private final String imageIoName;

    ImageFormat(String displayName, String imageIoName) {
        this.displayName = displayName;
        this.imageIoName = imageIoName;
    }

    public String displayName() {
        return displayName;
    }

    /** The format name ImageIO registers its reader under. */
    String imageIoName() {
        return imageIoName;
    }

    /** The format whose signature starts {@code bytes}, if any. */
    public static Optional<ImageFormat> sniff(byte[] bytes) {
        if (startsWith(bytes, 0, 0xFF, 0xD8, 0xFF)) {
            return Optional.of(JPEG);
        }
        if (startsWith(bytes, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of(PNG);
        }
        if (startsWith(bytes, 0, 'G', 'I', 'F', '8')) {
            return Optional.of(GIF);
        }
        if (startsWith(bytes, 0, 'B', 'M')) {
            return Optional.of(BMP);
        }
        if (startsWith(bytes, 0, 'R', 'I', 'F', 'F') && startsWith(bytes, 8, 'W', 'E', 'B', 'P')) {
            return Optional.of(WEBP);
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] bytes, int from, int... signature) {
        if (bytes.length < from + signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if ((bytes[from + i] & 0xFF) != signature[i]) {
                return false;
            }
        }
        return true;
    }
}
