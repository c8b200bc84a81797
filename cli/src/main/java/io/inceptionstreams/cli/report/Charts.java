package io.inceptionstreams.cli.report;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG pictures of the model report, drawn with XChart: a training run's learning curves, an
 * evaluation's confusion matrix, the predictor's batch-size sweep.
 */
public final class Charts {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    private Charts() {}

    /** One epoch of a training run, as the learning curves plot it. */
    public record EpochPoint(int epoch, double trainLoss, double testAccuracy) {}

    /**
     * Train loss (left axis) and test accuracy (right axis) per epoch; an epoch without a test
     * accuracy (NaN: not evaluated) has only its loss drawn.
     *
     * @param title e.g. the run's settings
     */
    public static void learningCurves(String title, List<EpochPoint> epochs, Path png)
            throws IOException {
        write(learningCurvesChart(title, epochs), png);
    }

    static XYChart learningCurvesChart(String title, List<EpochPoint> epochs) {
        if (epochs.isEmpty()) {
            throw new IllegalArgumentException("no epochs to plot");
        }
        XYChart chart =
                new XYChartBuilder()
                        .width(WIDTH)
                        .height(HEIGHT)
                        .title(title)
                        .xAxisTitle("epoch")
                        .yAxisTitle("train loss")
                        .build();
        double[] x = epochs.stream().mapToDouble(EpochPoint::epoch).toArray();
        XYSeries loss =
                chart.addSeries(
                        "train loss",
                        x,
                        epochs.stream().mapToDouble(EpochPoint::trainLoss).toArray());
        loss.setMarker(SeriesMarkers.CIRCLE);
        XYStyler styler = chart.getStyler();
        List<EpochPoint> evaluated =
                epochs.stream().filter(e -> !Double.isNaN(e.testAccuracy())).toList();
        if (!evaluated.isEmpty()) {
            XYSeries accuracy =
                    chart.addSeries(
                            "test accuracy",
                            evaluated.stream().mapToDouble(EpochPoint::epoch).toArray(),
                            evaluated.stream().mapToDouble(EpochPoint::testAccuracy).toArray());
            accuracy.setMarker(SeriesMarkers.DIAMOND);
            accuracy.setYAxisGroup(1);
            chart.setYAxisGroupTitle(1, "test accuracy");
            styler.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        }
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setXAxisDecimalPattern("0");
        styler.setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    /**
     * The confusion matrix with each cell as the share of its true class (row) in percent, true
     * classes top to bottom, predicted classes left to right.
     */
    public static void confusionMatrix(
            String title, List<String> classes, int[][] confusion, Path png) throws IOException {
        int n = classes.size();
        List<String> predicted = new ArrayList<>(n);
        List<String> truth = new ArrayList<>(n);
        for (int c = 0; c < n; c++) {
            predicted.add(c + " " + classes.get(c));
            // The heat map's y axis grows upwards: the last true class comes first.
            truth.add((n - 1 - c) + " " + classes.get(n - 1 - c));
        }
        List<Number[]> cells = new ArrayList<>(n * n);
        for (int t = 0; t < n; t++) {
            long total = 0;
            for (int v : confusion[t]) {
                total += v;
            }
            for (int p = 0; p < n; p++) {
                double share = total == 0 ? 0 : 100.0 * confusion[t][p] / total;
                cells.add(new Number[] {p, n - 1 - t, share});
            }
        }
        HeatMapChart chart =
                new HeatMapChartBuilder()
                        .width(WIDTH + 100)
                        .height(HEIGHT + 240)
                        .title(title)
                        .xAxisTitle("predicted class")
                        .yAxisTitle("true class")
                        .build();
        chart.addSeries("% of the true class", predicted, truth, cells);
        chart.getStyler()
                .setShowValue(true)
                .setHeatMapValueDecimalPattern("0.0")
                .setMin(0)
                .setMax(100)
                .setRangeColors(
                        new Color[] {
                            Color.WHITE,
                            new Color(0xC6DBEF),
                            new Color(0x4292C6),
                            new Color(0x08306B)
                        })
                .setValueFontColor(Color.BLACK)
                .setPlotContentSize(1)
                .setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisLabelRotation(35);
        write(chart, png);
    }

    /** Images per second against the batch size (logarithmic), one line per series. */
    public static void batchSweep(String title, Map<String, Map<Integer, Double>> series, Path png)
            throws IOException {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no measurements to plot");
        }
        XYChart chart =
                new XYChartBuilder()
                        .width(WIDTH)
                        .height(HEIGHT)
                        .title(title)
                        .xAxisTitle("batch size")
                        .yAxisTitle("images/s")
                        .build();
        for (Map.Entry<String, Map<Integer, Double>> line : series.entrySet()) {
            double[] x =
                    line.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] y =
                    line.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
            chart.addSeries(line.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        XYStyler styler = chart.getStyler();
        styler.setXAxisLogarithmic(true);
        styler.setXAxisDecimalPattern("0");
        styler.setLegendPosition(Styler.LegendPosition.InsideNW);
        styler.setChartBackgroundColor(Color.WHITE);
        write(chart, png);
    }

    /** Written to a temporary file beside {@code png} and moved into place. */
    private static void write(Chart<?, ?> chart, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path target = png.toAbsolutePath();
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        Path partial = target.resolveSibling(target.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(partial)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapFormat.PNG);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
    }
}
