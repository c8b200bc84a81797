package io.inceptionstreams.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class ChartsTest {

    private static final List<Charts.EpochPoint> EVERY_SECOND_EVALUATED =
            List.of(
                    new Charts.EpochPoint(1, 1.9, Double.NaN),
                    new Charts.EpochPoint(2, 1.4, 0.81),
                    new Charts.EpochPoint(3, 1.2, Double.NaN),
                    new Charts.EpochPoint(4, 1.1, 0.86));

    @TempDir Path dir;

    @Test
    void shouldDrawTheLossOfEveryEpochAndTheAccuracyOfTheEvaluatedOnes() throws Exception {
        XYChart chart = Charts.learningCurvesChart("every second", EVERY_SECOND_EVALUATED);

        assertThat(chart.getSeriesMap().get("train loss").getXData()).containsExactly(1, 2, 3, 4);
        assertThat(chart.getSeriesMap().get("test accuracy").getXData()).containsExactly(2, 4);
        assertThat(chart.getSeriesMap().get("test accuracy").getYData())
                .containsExactly(0.81, 0.86);

        Path png = dir.resolve("curves.png");
        Charts.learningCurves("every second", EVERY_SECOND_EVALUATED, png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(900);
        assertThat(image.getHeight()).isEqualTo(560);
    }

    @Test
    void shouldDrawOnlyTheLossWhenNoEpochWasEvaluated() {
        XYChart chart =
                Charts.learningCurvesChart(
                        "none evaluated", List.of(new Charts.EpochPoint(1, 1.9, Double.NaN)));

        assertThat(chart.getSeriesMap()).containsOnlyKeys("train loss");
    }
}
