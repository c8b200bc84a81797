package io.inceptionstreams.streams.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one instance runs and what it last refused, for {@code /model} and {@code /health}. Written
 * by the follower, read by the HTTP thread.
 */
public final class ModelStatus {

    /** A model this instance runs (or is asked to run), and since when. */
    public record Running(String name, String version, String location, Instant since) {}

    /** A deployment this instance refused, and why. */
    public record Refusal(
            String name, String version, RefusalReason reason, String message, Instant at) {}

    private volatile Running active;
    private volatile Running desired;
    private volatile Running shadow;
    private volatile Refusal lastRefusal;

    public ModelStatus(Running active) {
        this.active = active;
    }

    public Running active() {
        return active;
    }

    /** The active deployment the models topic asks for; null until one is read. */
    public Running desired() {
        return desired;
    }

    /** The shadow model this instance runs beside the active one; null without one. */
    public Running shadow() {
        return shadow;
    }

    void shadow(Running running) {
        shadow = running;
    }

    public Refusal lastRefusal() {
        return lastRefusal;
    }

    void activated(Running running) {
        active = running;
    }

    void desired(Running running) {
        desired = running;
    }

    void refused(Refusal refusal) {
        lastRefusal = refusal;
    }

    /** One line for {@code /health}'s detail. */
    public String summary() {
        Running now = active;
        Refusal refusal = lastRefusal;
        StringBuilder line =
                new StringBuilder()
                        .append("model ")
                        .append(now.name())
                        .append(' ')
                        .append(now.version())
                        .append(" active since ")
                        .append(now.since());
        Running beside = shadow;
        if (beside != null) {
            line.append(", shadow ")
                    .append(beside.version())
                    .append(" since ")
                    .append(beside.since());
        }
        if (refusal != null) {
            line.append(", last refused ")
                    .append(refusal.version())
                    .append(" (")
                    .append(refusal.reason())
                    .append(" at ")
                    .append(refusal.at())
                    .append(')');
        }
        return line.toString();
    }

    /** The status as a JSON object: what {@code GET /model} answers. */
    public String toJson() {
        List<String> fields = new ArrayList<>();
        fields.add("\"active\":" + json(active));
        fields.add("\"shadow\":" + json(shadow));
        fields.add("\"desired\":" + json(desired));
        Refusal refusal = lastRefusal;
        fields.add(
                "\"lastRefusal\":"
                        + (refusal == null
                                ? "null"
                                : "{\"name\":"
                                        + quote(refusal.name())
                                        + ",\"version\":"
                                        + quote(refusal.version())
                                        + ",\"reason\":"
                                        + quote(refusal.reason().name())
                                        + ",\"message\":"
                                        + quote(refusal.message())
                                        + ",\"at\":"
                                        + quote(refusal.at().toString())
                                        + "}"));
        return "{" + String.join(",", fields) + "}";
    }

    private static String json(Running running) {
        if (running == null) {
            return "null";
        }
        return "{\"name\":"
                + quote(running.name())
                + ",\"version\":"
                + quote(running.version())
                + ",\"location\":"
                + quote(running.location())
                + ",\"since\":"
                + quote(running.since() == null ? null : running.since().toString())
                + "}";
    }

    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
