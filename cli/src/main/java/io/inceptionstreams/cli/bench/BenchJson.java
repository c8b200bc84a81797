package io.inceptionstreams.cli.bench;

import java.util.List;
import java.util.Locale;

/** A flat JSON object written field by field: the bench reports need no more than this. */
final class BenchJson {
    private final StringBuilder out = new StringBuilder();

    BenchJson field(String name, String value) {
        return raw(name, value == null ? "null" : quote(value));
    }

    /** A number with four decimals; NaN and infinities as null. */
    BenchJson field(String name, double value) {
        return raw(
                name, Double.isFinite(value) ? String.format(Locale.ROOT, "%.4f", value) : "null");
    }

    BenchJson field(String name, long value) {
        return raw(name, Long.toString(value));
    }

    /** A value already in JSON (an array, a nested object). */
    BenchJson raw(String name, String json) {
        out.append(out.length() == 0 ? "" : ",").append(quote(name)).append(':').append(json);
        return this;
    }

    /** An array of values already in JSON (the reports' nested objects). */
    BenchJson array(String name, List<String> elements) {
        return raw(name, "[" + String.join(",", elements) + "]");
    }

    /** {@code value} as a JSON string. */
    static String quote(String value) {
        StringBuilder q = new StringBuilder("\"");
        for (char ch : value.toCharArray()) {
            switch (ch) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        q.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        q.append(ch);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    @Override
    public String toString() {
        return "{" + out + "}";
    }
}
