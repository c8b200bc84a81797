package io.inceptionstreams.model.preprocess;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * The EXIF orientation (TIFF tag 0x0112) of a JPEG, and the transform that turns the stored pixels
 * into the image as the camera's user saw it. Phones store portrait photos as landscape pixels with
 * orientation 6, so ignoring the tag would feed the model sideways images.
 *
 * <p>The tag is read from the APP1 segment directly, because ImageIO's JPEG metadata does not
 * expose EXIF. A missing or malformed EXIF block means orientation 1 (as stored): the pixels are
 * still valid, so bad metadata is not a reason to reject the image.
 */
final class ExifOrientation {

    static final int NORMAL = 1;

    private static final int ORIENTATION_TAG = 0x0112;
    private static final int TYPE_SHORT = 3;
    private static final int TYPE_LONG = 4;

    private ExifOrientation() {}

    /** The orientation, 1..8, declared in a JPEG's Exif APP1 segment; 1 if there is none. */
    static int read(byte[] jpeg) {
        int pos = 2; // after SOI
        while (pos + 4 <= jpeg.length) {
            if ((jpeg[pos] & 0xFF) != 0xFF) {
                return NORMAL;
            }
            int marker = jpeg[pos + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                pos++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) { // start of scan, end of image: no EXIF ahead
                return NORMAL;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) { // no length field
                pos += 2;
                continue;
            }
            int length = u16(jpeg, pos + 2, false);
            int end = pos + 2 + length;
            if (length < 2 || end > jpeg.length) {
                return NORMAL;
            }
            if (marker == 0xE1 && isExifHeader(jpeg, pos + 4, end)) {
                return readTiff(jpeg, pos + 10, end);
            }
            pos = end;
        }
        return NORMAL;
    }

    private static boolean isExifHeader(byte[] b, int at, int end) {
        return at + 6 <= end
                && b[at] == 'E'
                && b[at + 1] == 'x'
                && b[at + 2] == 'i'
                && b[at + 3] == 'f'
                && b[at + 4] == 0
                && b[at + 5] == 0;
    }

    private static int readTiff(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return NORMAL;
        }
        boolean littleEndian;
        if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
            littleEndian = true;
        } else if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
            littleEndian = false;
        } else {
            return NORMAL;
        }
        if (u16(b, tiff + 2, littleEndian) != 42) {
            return NORMAL;
        }
        long ifd = tiff + u32(b, tiff + 4, littleEndian);
        if (ifd + 2 > end) {
            return NORMAL;
        }
        int entries = u16(b, (int) ifd, littleEndian);
        for (int i = 0; i < entries; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (entry + 12 > end) {
                return NORMAL;
            }
            if (u16(b, entry, littleEndian) == ORIENTATION_TAG) {
                int type = u16(b, entry + 2, littleEndian);
                long value =
                        type == TYPE_SHORT
                                ? u16(b, entry + 8, littleEndian)
                                : type == TYPE_LONG ? u32(b, entry + 8, littleEndian) : NORMAL;
                return value >= 1 && value <= 8 ? (int) value : NORMAL;
            }
        }
        return NORMAL;
    }

    private static int u16(byte[] b, int at, boolean littleEndian) {
        int first = b[at] & 0xFF;
        int second = b[at + 1] & 0xFF;
        return littleEndian ? second << 8 | first : first << 8 | second;
    }

    private static long u32(byte[] b, int at, boolean littleEndian) {
        long high = u16(b, littleEndian ? at + 2 : at, littleEndian);
        long low = u16(b, littleEndian ? at : at + 2, littleEndian);
        return high << 16 | low;
    }

    /**
     * Returns {@code image} transformed for display per EXIF orientation {@code orientation}: 2
     * mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90
     * counter-clockwise; 1 (or anything else) returns {@code image} itself.
     */
    static BufferedImage apply(BufferedImage image, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        boolean transposed = orientation >= 5;
        ColorModel cm = image.getColorModel();
        WritableRaster out =
                cm.createCompatibleWritableRaster(transposed ? h : w, transposed ? w : h);
        Raster in = image.getRaster();
        int bands = in.getNumBands();
        int[] row = new int[w * bands];
        int[] line = new int[w * bands];
        // Where source pixel (x, y) lands: mirrored along x for 2, 3, 7, 8 (after transposing
        // for 5..8, x runs down the output column).
        boolean reverseX =
                orientation == 2 || orientation == 3 || orientation == 7 || orientation == 8;
        for (int y = 0; y < h; y++) {
            in.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int to = (reverseX ? w - 1 - x : x) * bands;
                System.arraycopy(row, x * bands, line, to, bands);
            }
            switch (orientation) {
                case 2 -> out.setPixels(0, y, w, 1, line);
                case 3, 4 -> out.setPixels(0, h - 1 - y, w, 1, line);
                case 5, 8 -> out.setPixels(y, 0, 1, w, line);
                default -> out.setPixels(h - 1 - y, 0, 1, w, line); // 6, 7
            }
        }
        return new BufferedImage(cm, out, cm.isAlphaPremultiplied(), null);
    }
}
