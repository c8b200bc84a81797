package io.inceptionstreams.model.training;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with rate and ETA. On a terminal it redraws in place; into a file or a
 * pipe (a background training job's log) it writes a plain line every few percent instead.
 */
public final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String title;
    private final long total;
    private final boolean interactive;
    private final long startNanos = System.nanoTime();
    private int lastPercent = -1;

    public ProgressBar(PrintStream out, String title, long total) {
        this.out = out;
        this.title = title;
        this.total = Math.max(1, total);
        this.interactive = System.console() != null;
    }

    public void update(long done, String metrics) {
        int percent = (int) (100 * done / total);
        if (!interactive && percent / 5 == lastPercent / 5 && done < total) {
            return;
        }
        lastPercent = percent;
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        double rate = done / seconds;
        long eta = rate > 0 ? Math.round((total - done) / rate) : 0;
        int filled = (int) (WIDTH * done / total);
        String bar =
                "=".repeat(filled)
                        + (filled < WIDTH ? ">" : "")
                        + " ".repeat(Math.max(0, WIDTH - filled - 1));
        String line =
                String.format(
                        Locale.ROOT,
                        "%s [%s] %3d%% %d/%d %s %.0f/s ETA %d:%02d",
                        title,
                        bar,
                        percent,
                        done,
                        total,
                        metrics,
                        rate,
                        eta / 60,
                        eta % 60);
        if (interactive) {
            out.print("\r" + line);
            if (done >= total) {
                out.println();
            }
        } else {
            out.println(line);
        }
        out.flush();
    }
}
