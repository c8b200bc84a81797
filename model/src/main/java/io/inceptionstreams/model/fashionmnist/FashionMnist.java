package io.inceptionstreams.model.fashionmnist;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * One split of Fashion-MNIST, read from the IDX files into memory (47 MB for the training split).
 *
 * <p>The IDX format is read here rather than through DJL so that training, evaluation and the tests
 * share one dependency-free reader. Instances are immutable and thread-safe.
 */
public final class FashionMnist {

    /** The ten classes, indexed by label. */
    public static final List<String> CLASS_NAMES =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    private static final Path DEBIAN_DIR = Paths.get("/usr/share/datasets/fashion-mnist");
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    /** The file pairs of the dataset, by their IDX file-name prefix. */
    public enum Split {
        TRAIN("train"),
        TEST("t10k");

        private final String filePrefix;

        Split(String filePrefix) {
            this.filePrefix = filePrefix;
        }

        public String filePrefix() {
            return filePrefix;
        }
    }

    private final int size;
    private final int rows;
    private final int cols;
    private final byte[] pixels;
    private final byte[] labels;

    private FashionMnist(int size, int rows, int cols, byte[] pixels, byte[] labels) {
        this.size = size;
        this.rows = rows;
        this.cols = cols;
        this.pixels = pixels;
        this.labels = labels;
    }

    /**
     * The dataset directory: system property {@code fashion.mnist.dir}, else environment variable
     * {@code FASHION_MNIST_DIR}, else where the Debian package dataset-fashion-mnist installs it.
     */
    public static Path defaultDir() {
        String property = System.getProperty("fashion.mnist.dir");
        if (property != null && !property.isBlank()) {
            return Paths.get(property);
        }
        String env = System.getenv("FASHION_MNIST_DIR");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        return DEBIAN_DIR;
    }

    /**
     * Loads one split from {@code dir}, accepting each file gzipped ({@code .gz}) or raw.
     *
     * @throws IOException naming the file when it is missing, truncated or not the expected IDX
     */
    public static FashionMnist load(Path dir, Split split) throws IOException {
        Path imagesFile = locate(dir, split.filePrefix() + "-images-idx3-ubyte");
        Path labelsFile = locate(dir, split.filePrefix() + "-labels-idx1-ubyte");

        int count;
        int rows;
        int cols;
        byte[] pixels;
        try (DataInputStream in = open(imagesFile)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw corrupt(
                        imagesFile,
                        String.format("magic 0x%08X, expected 0x%08X", magic, IMAGES_MAGIC));
            }
            count = in.readInt();
            rows = in.readInt();
            cols = in.readInt();
            if (count <= 0
                    || rows <= 0
                    || cols <= 0
                    || (long) count * rows * cols > Integer.MAX_VALUE - 8) {
                throw corrupt(
                        imagesFile, "implausible dimensions " + count + "x" + rows + "x" + cols);
            }
            // readNBytes grows its buffer as data arrives, so a header declaring far more
            // images than the file holds fails as truncated instead of allocating up front.
            int length = count * rows * cols;
            pixels = in.readNBytes(length);
            if (pixels.length != length) {
                throw corrupt(imagesFile, "truncated");
            }
        } catch (EOFException e) {
            throw corrupt(imagesFile, "truncated");
        }

        byte[] labels;
        try (DataInputStream in = open(labelsFile)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw corrupt(
                        labelsFile,
                        String.format("magic 0x%08X, expected 0x%08X", magic, LABELS_MAGIC));
            }
            int labelCount = in.readInt();
            if (labelCount != count) {
                throw corrupt(
                        labelsFile,
                        labelCount + " labels for " + count + " images in " + imagesFile);
            }
            labels = in.readNBytes(count);
            if (labels.length != count) {
                throw corrupt(labelsFile, "truncated");
            }
        } catch (EOFException e) {
            throw corrupt(labelsFile, "truncated");
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= CLASS_NAMES.size()) {
                throw corrupt(
                        labelsFile, "label " + labels[i] + " at index " + i + " is not in 0..9");
            }
        }
        return new FashionMnist(count, rows, cols, pixels, labels);
    }

    private static Path locate(Path dir, String baseName) throws IOException {
        Path gz = dir.resolve(baseName + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path raw = dir.resolve(baseName);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        throw new IOException(
                "Fashion-MNIST file not found: "
                        + raw
                        + "(.gz); install the Debian package dataset-fashion-mnist or pass --data DIR");
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            if (file.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(in, 1 << 16);
            }
        } catch (IOException e) {
            in.close();
            throw corrupt(file, "not a gzip file (" + e.getMessage() + ")");
        }
        return new DataInputStream(in);
    }

    private static IOException corrupt(Path file, String detail) {
        return new IOException("Corrupt Fashion-MNIST IDX file " + file + ": " + detail);
    }

    public int size() {
        return size;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The class index, 0..9, of image {@code i}. */
    public int label(int i) {
        return labels[checkIndex(i)];
    }

    /** A copy of image {@code i}: rows*cols bytes, row-major, 0 (background) to 255 (unsigned). */
    public byte[] pixels(int i) {
        int area = rows * cols;
        byte[] copy = new byte[area];
        System.arraycopy(pixels, checkIndex(i) * area, copy, 0, area);
        return copy;
    }

    /** Image {@code i} as a new {@link BufferedImage#TYPE_BYTE_GRAY} image. */
    public BufferedImage image(int i) {
        BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        byte[] target = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        int area = rows * cols;
        System.arraycopy(pixels, checkIndex(i) * area, target, 0, area);
        return image;
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("image index " + i + " not in 0.." + (size - 1));
        }
        return i;
    }
}
