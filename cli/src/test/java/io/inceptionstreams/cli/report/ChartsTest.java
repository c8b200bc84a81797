package io.inceptionstreams.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {

    @TempDir Path dir;

    @Test
    void shouldDrawLearningCurvesWithEpochsThatWereNotEvaluated() throws Exception {
        Path png = dir.resolve("curves.png");
        Charts.learningCurves(
                "every second epoch evaluated",
                List.of(
                        new Charts.EpochPoint(1, 1.9, Double.NaN),
                        new Charts.EpochPoint(2, 1.4, 0.81),
                        new Charts.EpochPoint(3, 1.2, Double.NaN),
                        new Charts.EpochPoint(4, 1.1, 0.86)),
                png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(900);
        assertThat(image.getHeight()).isEqualTo(560);
    }

    @Test
    void shouldRefuseCurvesWithoutAnyTestAccuracy() {
        assertThatThrownBy(
                        () ->
                                Charts.learningCurves(
                                        "none evaluated",
                                        List.of(new Charts.EpochPoint(1, 1.9, Double.NaN)),
                                        dir.resolve("curves.png")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no epoch with a test accuracy");
    }
}
