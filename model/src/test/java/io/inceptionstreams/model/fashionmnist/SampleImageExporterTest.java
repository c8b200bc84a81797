package io.inceptionstreams.model.fashionmnist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.model.fashionmnist.FashionMnist.Split;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleImageExporterTest {

    private static FashionMnist test;

    @TempDir Path out;

    @BeforeAll
    static void load() throws IOException {
        test = FashionMnist.load(FashionMnist.defaultDir(), Split.TEST);
    }

    @Test
    void shouldTakeTheFirstImagesOfEachClassInTestOrder() {
        List<Integer> chosen = SampleImageExporter.choose(test, 2);

        assertThat(chosen).hasSize(20).isSorted();
        int[] perClass = new int[10];
        chosen.forEach(i -> perClass[test.label(i)]++);
        assertThat(perClass).containsOnly(2);
        // Every skipped index before the last chosen one belongs to an already full class.
        int last = chosen.get(chosen.size() - 1);
        int[] seen = new int[10];
        for (int i = 0; i <= last; i++) {
            boolean taken = seen[test.label(i)] < 2;
            assertThat(chosen.contains(i)).as("index %d", i).isEqualTo(taken);
            seen[test.label(i)]++;
        }
    }

    @Test
    void shouldWriteGrayPngsAndAManifest() throws IOException {
        List<Integer> chosen = SampleImageExporter.export(test, 10, out);

        List<String> manifest = Files.readAllLines(out.resolve("manifest.csv"));
        assertThat(manifest).hasSize(11);
        assertThat(manifest.get(0)).isEqualTo("file,label,class_index,test_index");
        assertThat(manifest.get(1)).isEqualTo("00000-ankle-boot.png,Ankle boot,9,0");
        int first = chosen.get(0);
        BufferedImage png =
                ImageIO.read(out.resolve(SampleImageExporter.fileName(first, 9)).toFile());
        assertThat(png.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(png.getWidth()).isEqualTo(28);
        assertThat(png.getRaster().getSamples(0, 0, 28, 28, 0, (int[]) null))
                .containsExactly(toInts(test.pixels(first)));
    }

    @Test
    void shouldNameFilesWithTheTestIndexAndAClassSlug() {
        assertThat(SampleImageExporter.fileName(42, 9)).isEqualTo("00042-ankle-boot.png");
        assertThat(SampleImageExporter.fileName(7, 0)).isEqualTo("00007-t-shirt-top.png");
    }

    @Test
    void shouldRejectACountThatCannotBeSplitEvenlyAcrossClasses() {
        assertThatThrownBy(() -> SampleImageExporter.export(test, 25, out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiple of 10, got 25");
    }

    private static int[] toInts(byte[] bytes) {
        int[] ints = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ints[i] = bytes[i] & 0xFF;
        }
        return ints;
    }
}
