package io.inceptionstreams.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.model.fashionmnist.SampleImages;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default demo, end to end in this JVM: broker, registry, service, bundled model and images.
 */
class DemoCommandTest {
    private static final int IMAGES = 30;
    private static final Pattern SUMMARY =
            Pattern.compile(
                    "classified (\\d+) of (\\d+) images in [\\d.]+ s \\(([\\d.]+) images/s, first"
                            + " image sent to last label read\\); accuracy ([\\d.]+) \\((\\d+) of"
                            + " (\\d+) with a true label\\)");

    /** A table row: image id, true label, predicted label, confidence, running accuracy. */
    private record Row(String image, String truth, String predicted, double confidence) {
        static Row parse(String line) {
            return new Row(
                    line.substring(0, 28).trim(),
                    line.substring(29, 43).trim(),
                    line.substring(44, 58).trim(),
                    Double.parseDouble(line.substring(59, 69).trim()));
        }
    }

    @Test
    @Timeout(240)
    void shouldClassifyTheBundledImagesAndPrintEachPredictionAndASummary() throws Exception {
        CommandResult result =
                CommandResult.run(
                        "demo",
                        "--images",
                        Integer.toString(IMAGES),
                        "--device",
                        "cpu",
                        "--http-port",
                        "-1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> lines = result.outLines();
        assertThat(lines.get(0)).startsWith("IMAGE").contains("TRUE LABEL", "PREDICTED");
        List<Row> rows =
                lines.stream().filter(line -> line.startsWith("sample-")).map(Row::parse).toList();
        Map<String, String> truth =
                SampleImages.load().stream()
                        .limit(IMAGES)
                        .collect(
                                Collectors.toMap(
                                        sample ->
                                                "sample-"
                                                        + sample.fileName()
                                                                .replaceFirst("\\.png$", ""),
                                        SampleImages.Sample::label));
        // Every image sent got exactly one row, with its own true label
        assertThat(rows).extracting(Row::image).containsExactlyInAnyOrderElementsOf(truth.keySet());
        for (Row row : rows) {
            assertThat(row.truth()).as(row.image()).isEqualTo(truth.get(row.image()));
            assertThat(row.confidence()).isBetween(0.0, 1.0);
        }
        // The summary agrees with the rows, and the bundled model is right on most of them
        Matcher summary = SUMMARY.matcher(lines.get(lines.size() - 1));
        assertThat(summary.matches()).as(lines.get(lines.size() - 1)).isTrue();
        long correct = rows.stream().filter(row -> row.truth().equals(row.predicted())).count();
        assertThat(Integer.parseInt(summary.group(1))).isEqualTo(IMAGES);
        assertThat(Integer.parseInt(summary.group(2))).isEqualTo(IMAGES);
        assertThat(Double.parseDouble(summary.group(3))).isPositive();
        assertThat(Integer.parseInt(summary.group(5))).isEqualTo((int) correct);
        assertThat(Integer.parseInt(summary.group(6))).isEqualTo(IMAGES);
        assertThat(Double.parseDouble(summary.group(4)))
                .isCloseTo((double) correct / IMAGES, org.assertj.core.data.Offset.offset(0.001));
        assertThat(correct).isGreaterThanOrEqualTo(IMAGES * 8 / 10);
    }
}
