package io.inceptionstreams.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inceptionstreams.cli.client.ImageEvents;
import io.inceptionstreams.schemas.avro.Label;
import io.inceptionstreams.schemas.avro.LabelEvent;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints label events as an aligned table or as JSON lines, and keeps the running accuracy over the
 * events whose image carried its true label (attribute {@value ImageEvents#TRUE_LABEL}).
 */
final class LabelPrinter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROW = "%-28s %-14s %-14s %10s %9s%n";

    private final PrintWriter out;
    private final boolean json;
    private int printed;
    private int withTruth;
    private int correct;

    LabelPrinter(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    void print(LabelEvent event) {
        Label top = event.getLabels().isEmpty() ? null : event.getLabels().get(0);
        CharSequence truth = event.getAttributes().get(ImageEvents.TRUE_LABEL);
        if (truth != null) {
            withTruth++;
            if (top != null && top.getLabel().toString().equals(truth.toString())) {
                correct++;
            }
        }
        if (json) {
            out.println(toJson(event));
        } else {
            if (printed == 0) {
                out.printf(ROW, "IMAGE", "TRUE LABEL", "PREDICTED", "CONFIDENCE", "ACCURACY");
            }
            out.printf(
                    ROW,
                    event.getImageId(),
                    truth == null ? "-" : truth,
                    top == null ? "-" : top.getLabel(),
                    top == null ? "-" : String.format(Locale.ROOT, "%.4f", top.getConfidence()),
                    withTruth == 0 ? "-" : String.format(Locale.ROOT, "%.3f", accuracy()));
        }
        printed++;
        out.flush();
    }

    int printed() {
        return printed;
    }

    /** Images whose true label was known. */
    int withTruth() {
        return withTruth;
    }

    int correct() {
        return correct;
    }

    /** Correct top-1 labels over the images whose true label was known (NaN when none was). */
    double accuracy() {
        return withTruth == 0 ? Double.NaN : (double) correct / withTruth;
    }

    /** "accuracy 0.913 (274 of 300 with a true label)", or a note that none had one. */
    String accuracySummary() {
        return withTruth == 0
                ? "no image carried a true label (attribute '" + ImageEvents.TRUE_LABEL + "')"
                : String.format(
                        Locale.ROOT,
                        "accuracy %.3f (%d of %d with a true label)",
                        accuracy(),
                        correct,
                        withTruth);
    }

    private static String toJson(LabelEvent event) {
        ObjectNode node = JSON.createObjectNode();
        node.put("image_id", event.getImageId().toString());
        ArrayNode labels = node.putArray("labels");
        for (Label label : event.getLabels()) {
            labels.addObject()
                    .put("label", label.getLabel().toString())
                    .put("class_index", label.getClassIndex())
                    .put("confidence", label.getConfidence());
        }
        node.putObject("model")
                .put("name", event.getModel().getName().toString())
                .put("version", event.getModel().getVersion().toString());
        node.put("event_time", event.getEventTime().toString());
        node.put("classified_at", event.getClassifiedAt().toString());
        node.put("batch_size", event.getBatchSize());
        node.put("queue_ms", event.getQueueMs());
        node.put("inference_ms", event.getInferenceMs());
        ObjectNode attributes = node.putObject("attributes");
        event.getAttributes()
                .forEach((key, value) -> attributes.put(key.toString(), value.toString()));
        return node.toString();
    }
}
