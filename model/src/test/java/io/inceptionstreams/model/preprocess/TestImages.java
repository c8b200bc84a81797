package io.inceptionstreams.model.preprocess;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Builds the encoded images the decoder tests feed in. */
final class TestImages {

    static final int RED = 0xFF0000;
    static final int GREEN = 0x00FF00;
    static final int BLUE = 0x0000FF;
    static final int WHITE = 0xFFFFFF;

    private TestImages() {}

    /** An 8x6 RGB image: red, green on top; blue, white below (as in the WebP resources). */
    static BufferedImage quadrants() {
        return quadrants(8, 6);
    }

    static BufferedImage quadrants(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] colours = {RED, GREEN, BLUE, WHITE};
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, colours[(2 * y / height) * 2 + 2 * x / width]);
            }
        }
        return image;
    }

    /** A 48x32 image of busy colours that compresses poorly, so its data outweighs its header. */
    static BufferedImage busy() {
        BufferedImage image = new BufferedImage(48, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 48; x++) {
                image.setRGB(x, y, (x * 0x9E3779B1 ^ y * 0x85EBCA77) * 0xC2B2AE3D >>> 8);
            }
        }
        return image;
    }

    /** A gray image, black on the left half and white on the right half. */
    static BufferedImage leftBlackRightWhite(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = width / 2; x < width; x++) {
                image.getRaster().setSample(x, y, 0, 255);
            }
        }
        return image;
    }

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] resource(String name) {
        try (InputStream in = TestImages.class.getResourceAsStream("/preprocess/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /preprocess/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code jpeg} with an Exif APP1 segment declaring {@code orientation} inserted after SOI, its
     * TIFF header in big-endian ("MM") or little-endian ("II") byte order.
     */
    static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
        ByteArrayOutputStream tiff = new ByteArrayOutputStream();
        writeTiffInt(tiff, littleEndian ? 0x4949 : 0x4D4D, 2, false);
        writeTiffInt(tiff, 42, 2, littleEndian);
        writeTiffInt(tiff, 8, 4, littleEndian); // IFD0 right after the header
        writeTiffInt(tiff, 2, 2, littleEndian); // two entries
        writeTiffInt(tiff, 0x010F, 2, littleEndian); // Make, ASCII, 4 bytes inline: "Cam\0"
        writeTiffInt(tiff, 2, 2, littleEndian);
        writeTiffInt(tiff, 4, 4, littleEndian);
        tiff.writeBytes("Cam\0".getBytes(StandardCharsets.US_ASCII));
        writeTiffInt(tiff, 0x0112, 2, littleEndian); // Orientation, SHORT, 1 value
        writeTiffInt(tiff, 3, 2, littleEndian);
        writeTiffInt(tiff, 1, 4, littleEndian);
        writeTiffInt(tiff, orientation, 2, littleEndian);
        writeTiffInt(tiff, 0, 2, littleEndian); // padding of the 4-byte value field
        writeTiffInt(tiff, 0, 4, littleEndian); // no next IFD

        byte[] payload = tiff.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2); // SOI
        out.write(0xFF);
        out.write(0xE1);
        int length = 2 + 6 + payload.length;
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static void writeTiffInt(
            ByteArrayOutputStream out, int value, int bytes, boolean littleEndian) {
        for (int i = 0; i < bytes; i++) {
            int shift = littleEndian ? 8 * i : 8 * (bytes - 1 - i);
            out.write((value >>> shift) & 0xFF);
        }
    }

    /**
     * A hand-made PNG declaring {@code width x height} RGB pixels whose image data is a few bytes
     * only: a decoder that allocated the declared raster would need width*height*3 bytes.
     */
    static byte[] pngDeclaring(int width, int height) {
        return pngDeclaring(width, height, 8, 2);
    }

    /**
     * As {@link #pngDeclaring(int, int)}, with a chosen bit depth and colour type (0 gray, 2 RGB, 4
     * gray and alpha, 6 RGBA).
     */
    static byte[] pngDeclaring(int width, int height, int bitDepth, int colourType) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DataOutputStream data = new DataOutputStream(out);
            data.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
            DataOutputStream header = new DataOutputStream(ihdr);
            header.writeInt(width);
            header.writeInt(height);
            header.writeByte(bitDepth);
            header.writeByte(colourType);
            header.writeByte(0); // deflate
            header.writeByte(0); // adaptive filtering
            header.writeByte(0); // no interlace
            writeChunk(data, "IHDR", ihdr.toByteArray());
            // A zlib stream of a few zero bytes, far short of the declared image.
            writeChunk(
                    data,
                    "IDAT",
                    new byte[] {0x78, (byte) 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01});
            writeChunk(data, "IEND", new byte[0]);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeChunk(DataOutputStream out, String type, byte[] body)
            throws IOException {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(body.length);
        out.write(typeBytes);
        out.write(body);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(body);
        out.writeInt((int) crc.getValue());
    }

    /** {@code jpeg} with the dimensions in its SOF0 (baseline) frame header replaced. */
    static byte[] jpegDeclaring(byte[] jpeg, int width, int height) {
        byte[] patched = jpeg.clone();
        for (int i = 2; i + 8 < patched.length; i++) {
            if ((patched[i] & 0xFF) == 0xFF && (patched[i + 1] & 0xFF) == 0xC0) {
                patched[i + 5] = (byte) (height >> 8);
                patched[i + 6] = (byte) height;
                patched[i + 7] = (byte) (width >> 8);
                patched[i + 8] = (byte) width;
                return patched;
            }
        }
        throw new IllegalArgumentException("no SOF0 marker");
    }

    /** A lossless {@code webp} (VP8L) with the 14-bit dimensions in its header replaced. */
    static byte[] webpLosslessDeclaring(byte[] webp, int width, int height) {
        byte[] patched = webp.clone();
        // After "RIFF" size "WEBP" "VP8L" size and the 0x2F signature: width-1 and height-1 in
        // 14 bits each, little-endian, then the alpha and version bits.
        int at = 21;
        long bits =
                (patched[at] & 0xFFL)
                        | (patched[at + 1] & 0xFFL) << 8
                        | (patched[at + 2] & 0xFFL) << 16
                        | (patched[at + 3] & 0xFFL) << 24;
        bits = (bits & ~0xFFFFFFFL) | (width - 1) | (long) (height - 1) << 14;
        for (int i = 0; i < 4; i++) {
            patched[at + i] = (byte) (bits >>> (8 * i));
        }
        return patched;
    }

    /** {@code bmp} with the dimensions in its BITMAPINFOHEADER replaced. */
    static byte[] bmpDeclaring(byte[] bmp, int width, int height) {
        byte[] patched = bmp.clone();
        for (int i = 0; i < 4; i++) {
            patched[18 + i] = (byte) (width >>> (8 * i));
            patched[22 + i] = (byte) (height >>> (8 * i));
        }
        return patched;
    }
}
