package io.inceptionstreams.model.preprocess;

import java.io.IOException;
import java.util.Objects;
import javax.imageio.IIOException;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An ImageIO stream over an encoded image held in memory that fails once a reader keeps reading
 * past the end of the data.
 *
 * <p>Some readers treat the end of the data as zeros and carry on: TwelveMonkeys' lossless WebP
 * decoder swallows the EOFException of every bit-buffer refill, so a 58-byte file declaring 27
 * megapixels decodes for minutes, building an exception per refill. Its bit reader looks 8 bytes
 * ahead, so complete files do read past the end too, but only a few dozen times; after {@link
 * #MAX_READS_PAST_END} attempts the stream throws an IIOException, which such readers do not
 * swallow, turning the file into a prompt CORRUPT rejection. The stream also spares the copy that
 * ImageIO's cached streams make.
 */
final class EncodedImageInputStream extends ImageInputStreamImpl {

    static final int MAX_READS_PAST_END = 4096;

    private final byte[] data;
    private int readsPastEnd;

    EncodedImageInputStream(byte[] data) {
        this.data = Objects.requireNonNull(data, "data");
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        if (streamPos >= data.length) {
            readPastEnd();
            return -1;
        }
        return data[(int) streamPos++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        Objects.checkFromIndexSize(off, len, b.length);
        bitOffset = 0;
        if (len == 0) {
            return 0;
        }
        if (streamPos >= data.length) {
            readPastEnd();
            return -1;
        }
        int n = (int) Math.min(len, data.length - streamPos);
        System.arraycopy(data, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return data.length;
    }

    private void readPastEnd() throws IIOException {
        if (++readsPastEnd > MAX_READS_PAST_END) {
            throw new IIOException(
                    "the data ends before the image does (read past the end "
                            + readsPastEnd
                            + " times)");
        }
    }
}
