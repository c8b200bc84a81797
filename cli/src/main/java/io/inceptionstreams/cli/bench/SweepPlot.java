package io.inceptionstreams.cli.bench;

import io.inceptionstreams.cli.bench.ClassifierBenchmark.Measurement;
import io.inceptionstreams.cli.report.Charts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The predictor's batch-size sweep drawn as a PNG: one line per model and execution. */
final class SweepPlot {

    private SweepPlot() {}

    static void draw(List<Measurement> measurements, String environment, Path png)
            throws IOException {
        boolean severalExecutions =
                measurements.stream().map(Measurement::execution).distinct().count() > 1;
        Map<String, Map<Integer, Double>> series = new LinkedHashMap<>();
        for (Measurement m : measurements) {
            String name =
                    m.model()
                            + (severalExecutions
                                    ? ", " + m.execution().name().toLowerCase(Locale.ROOT)
                                    : "");
            series.computeIfAbsent(name, k -> new TreeMap<>())
                    .put(m.batchSize(), m.medianImagesPerSecond());
        }
        Charts.batchSweep("Predictor images/s by batch size (" + environment + ")", series, png);
    }
}
