package io.inceptionstreams.model.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExifOrientationTest {

    private static final byte[] JPEG =
            TestImages.encode(TestImages.leftBlackRightWhite(8, 8), "jpeg");

    /** The 3x2 image 1 2 3 / 4 5 6. */
    private static BufferedImage oneToSix() {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSamples(0, 0, 3, 2, 0, new int[] {1, 2, 3, 4, 5, 6});
        return image;
    }

    private static int[] samples(BufferedImage image) {
        return image.getRaster()
                .getSamples(0, 0, image.getWidth(), image.getHeight(), 0, (int[]) null);
    }

    @ParameterizedTest
    @CsvSource({
        "1, 3, '1 2 3 4 5 6'",
        "2, 3, '3 2 1 6 5 4'",
        "3, 3, '6 5 4 3 2 1'",
        "4, 3, '4 5 6 1 2 3'",
        "5, 2, '1 4 2 5 3 6'",
        "6, 2, '4 1 5 2 6 3'",
        "7, 2, '6 3 5 2 4 1'",
        "8, 2, '3 6 2 5 1 4'"
    })
    void shouldTransformPixelsAsEachOrientationPrescribes(
            int orientation, int width, String expected) {
        BufferedImage upright = ExifOrientation.apply(oneToSix(), orientation);

        assertThat(upright.getWidth()).isEqualTo(width);
        assertThat(samples(upright))
                .containsExactly(
                        Arrays.stream(expected.split(" ")).mapToInt(Integer::parseInt).toArray());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void shouldReadEveryOrientationInBothByteOrders(int orientation) {
        assertThat(ExifOrientation.read(TestImages.withExifOrientation(JPEG, orientation, false)))
                .isEqualTo(orientation);
        assertThat(ExifOrientation.read(TestImages.withExifOrientation(JPEG, orientation, true)))
                .isEqualTo(orientation);
    }

    @Test
    void shouldTreatAJpegWithoutExifAsUpright() {
        assertThat(ExifOrientation.read(JPEG)).isEqualTo(1);
    }

    @Test
    void shouldIgnoreOutOfRangeOrMalformedExif() {
        byte[] outOfRange = TestImages.withExifOrientation(JPEG, 9, false);
        byte[] badTiffMagic = TestImages.withExifOrientation(JPEG, 6, false);
        badTiffMagic[4 + 2 + 6 + 3] = 43; // 42 -> 43 in the TIFF header
        byte[] truncated =
                Arrays.copyOf(TestImages.withExifOrientation(JPEG, 6, true), 4 + 2 + 6 + 10);

        assertThat(ExifOrientation.read(outOfRange)).isEqualTo(1);
        assertThat(ExifOrientation.read(badTiffMagic)).isEqualTo(1);
        assertThat(ExifOrientation.read(truncated)).isEqualTo(1);
    }
}
