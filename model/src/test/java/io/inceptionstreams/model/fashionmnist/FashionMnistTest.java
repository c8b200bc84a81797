package io.inceptionstreams.model.fashionmnist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.model.fashionmnist.FashionMnist.Split;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    private static FashionMnist test;

    @TempDir Path tmp;

    @BeforeAll
    static void loadTestSplit() throws IOException {
        test = FashionMnist.load(FashionMnist.defaultDir(), Split.TEST);
    }

    @Test
    void shouldReadTheTrainSplitAs60000ImagesOf28x28() throws IOException {
        FashionMnist train = FashionMnist.load(FashionMnist.defaultDir(), Split.TRAIN);

        assertThat(train.size()).isEqualTo(60_000);
        assertThat(train.rows()).isEqualTo(28);
        assertThat(train.cols()).isEqualTo(28);
        int[] perClass = new int[10];
        for (int i = 0; i < train.size(); i++) {
            perClass[train.label(i)]++;
        }
        assertThat(perClass).containsOnly(6000);
    }

    @Test
    void shouldReadTheTestSplitBalancedAt1000PerClass() {
        assertThat(test.size()).isEqualTo(10_000);
        assertThat(test.rows()).isEqualTo(28);
        assertThat(test.cols()).isEqualTo(28);
        int[] perClass = new int[10];
        for (int i = 0; i < test.size(); i++) {
            assertThat(test.label(i)).isBetween(0, 9);
            perClass[test.label(i)]++;
        }
        assertThat(perClass).containsOnly(1000);
    }

    @Test
    void shouldMatchTheRawIdxBytesForTheFirstAndLastImages() throws IOException {
        byte[] images = gunzip(FashionMnist.defaultDir().resolve("t10k-images-idx3-ubyte.gz"));
        byte[] labels = gunzip(FashionMnist.defaultDir().resolve("t10k-labels-idx1-ubyte.gz"));

        for (int i : new int[] {0, 9_999}) {
            byte[] expected = new byte[784];
            System.arraycopy(images, 16 + i * 784, expected, 0, 784);
            assertThat(test.pixels(i)).isEqualTo(expected);
            assertThat(test.label(i)).isEqualTo(labels[8 + i]);
        }
        // The well-known first test image is an ankle boot.
        assertThat(FashionMnist.CLASS_NAMES.get(test.label(0))).isEqualTo("Ankle boot");
    }

    @Test
    void shouldReturnPixelsAsADefensiveCopy() {
        byte[] first = test.pixels(0);
        first[400] ^= (byte) 0xFF;

        assertThat(test.pixels(0)[400]).isNotEqualTo(first[400]);
    }

    @Test
    void shouldExposeImagesAsGrayscaleMatchingThePixels() {
        BufferedImage image = test.image(7);
        byte[] pixels = test.pixels(7);

        assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(image.getWidth()).isEqualTo(28);
        assertThat(image.getHeight()).isEqualTo(28);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertThat(image.getRaster().getSample(x, y, 0))
                        .isEqualTo(pixels[y * 28 + x] & 0xFF);
            }
        }
    }

    @Test
    void shouldRejectAnIndexOutOfRange() {
        assertThatThrownBy(() -> test.label(10_000))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("10000");
    }

    @Test
    void shouldReadUncompressedIdxFiles() throws IOException {
        writeIdx(tmp.resolve("t10k-images-idx3-ubyte"), false, 0x803, 2, 2, 3);
        writeIdx(tmp.resolve("t10k-labels-idx1-ubyte"), false, 0x801, 2);

        FashionMnist tiny = FashionMnist.load(tmp, Split.TEST);

        assertThat(tiny.size()).isEqualTo(2);
        assertThat(tiny.rows()).isEqualTo(2);
        assertThat(tiny.cols()).isEqualTo(3);
        assertThat(tiny.pixels(1)).containsExactly(6, 7, 8, 9, 10, 11);
        assertThat(tiny.label(1)).isEqualTo(1);
    }

    @Test
    void shouldNameTheMissingFileAndHowToInstallIt() {
        assertThatThrownBy(() -> FashionMnist.load(tmp, Split.TEST))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(tmp.resolve("t10k-images-idx3-ubyte").toString())
                .hasMessageContaining("dataset-fashion-mnist");
    }

    @Test
    void shouldNameTheFileWhoseHeaderIsCorrupt() throws IOException {
        Path images = tmp.resolve("train-images-idx3-ubyte.gz");
        writeIdx(images, true, 0x801, 2, 2, 2); // a labels magic in an images file
        writeIdx(tmp.resolve("train-labels-idx1-ubyte.gz"), true, 0x801, 2);

        assertThatThrownBy(() -> FashionMnist.load(tmp, Split.TRAIN))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(images.toString())
                .hasMessageContaining("magic");
    }

    @Test
    void shouldNameTheFileThatIsTruncated() throws IOException {
        Path images = tmp.resolve("t10k-images-idx3-ubyte.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(images))) {
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(0x803);
            data.writeInt(100);
            data.writeInt(28);
            data.writeInt(28);
            data.write(new byte[50]);
            data.flush();
        }
        writeIdx(tmp.resolve("t10k-labels-idx1-ubyte.gz"), true, 0x801, 100);

        assertThatThrownBy(() -> FashionMnist.load(tmp, Split.TEST))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(images.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void shouldNameAGzFileThatIsNotGzipped() throws IOException {
        Path images = tmp.resolve("t10k-images-idx3-ubyte.gz");
        Files.writeString(images, "not gzip at all");
        writeIdx(tmp.resolve("t10k-labels-idx1-ubyte.gz"), true, 0x801, 1);

        assertThatThrownBy(() -> FashionMnist.load(tmp, Split.TEST))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(images.toString());
    }

    @Test
    void shouldRejectLabelsThatDoNotMatchTheImageCount() throws IOException {
        writeIdx(tmp.resolve("t10k-images-idx3-ubyte"), false, 0x803, 3, 1, 1);
        Path labels = tmp.resolve("t10k-labels-idx1-ubyte");
        writeIdx(labels, false, 0x801, 2);

        assertThatThrownBy(() -> FashionMnist.load(tmp, Split.TEST))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(labels.toString())
                .hasMessageContaining("2 labels for 3 images");
    }

    @Test
    void shouldResolveTheDirectoryFromTheSystemProperty() {
        String previous = System.getProperty("fashion.mnist.dir");
        try {
            System.setProperty("fashion.mnist.dir", "/some/where");
            assertThat(FashionMnist.defaultDir()).isEqualTo(Path.of("/some/where"));
        } finally {
            if (previous == null) {
                System.clearProperty("fashion.mnist.dir");
            } else {
                System.setProperty("fashion.mnist.dir", previous);
            }
        }
    }

    /**
     * Writes an IDX file with the given magic and dimensions; the data counts up from 0 (labels:
     * the index mod 10).
     */
    private static void writeIdx(Path file, boolean gzip, int magic, int... dims)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(bytes);
        data.writeInt(magic);
        int length = 1;
        for (int d : dims) {
            data.writeInt(d);
            length *= d;
        }
        for (int i = 0; i < length; i++) {
            data.writeByte(dims.length == 1 ? i % 10 : i);
        }
        try (OutputStream out =
                gzip
                        ? new GZIPOutputStream(Files.newOutputStream(file))
                        : Files.newOutputStream(file)) {
            out.write(bytes.toByteArray());
        }
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }
}
