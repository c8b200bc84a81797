package io.inceptionstreams.model.training;

import java.util.List;
import java.util.Locale;

/** Top-1 accuracy and the confusion matrix (rows: true class, columns: predicted class). */
public record Evaluation(List<String> labels, int[][] confusion) {

    public long count() {
        long n = 0;
        for (int[] row : confusion) {
            for (int v : row) {
                n += v;
            }
        }
        return n;
    }

    public long correct() {
        long n = 0;
        for (int i = 0; i < confusion.length; i++) {
            n += confusion[i][i];
        }
        return n;
    }

    public double accuracy() {
        long count = count();
        return count == 0 ? 0 : (double) correct() / count;
    }

    /** The matrix as text, with per-class recall on the right. */
    public String confusionTable() {
        StringBuilder out = new StringBuilder();
        int width = 6;
        out.append(String.format(Locale.ROOT, "%-14s", "true \\ pred"));
        for (int c = 0; c < labels.size(); c++) {
            out.append(String.format(Locale.ROOT, "%" + width + "d", c));
        }
        out.append("  recall\n");
        for (int t = 0; t < labels.size(); t++) {
            long rowTotal = 0;
            out.append(String.format(Locale.ROOT, "%-14s", t + " " + abbreviate(labels.get(t))));
            for (int p = 0; p < labels.size(); p++) {
                out.append(String.format(Locale.ROOT, "%" + width + "d", confusion[t][p]));
                rowTotal += confusion[t][p];
            }
            out.append(
                    String.format(
                            Locale.ROOT,
                            "  %.3f%n",
                            rowTotal == 0 ? 0 : (double) confusion[t][t] / rowTotal));
        }
        out.append(
                String.format(
                        Locale.ROOT, "accuracy %.4f (%d/%d)%n", accuracy(), correct(), count()));
        return out.toString();
    }

    private static String abbreviate(String label) {
        return label.length() <= 11 ? label : label.substring(0, 11);
    }
}
