package dev.kvbm.cli.internal;

import java.io.PrintStream;
import java.util.function.IntConsumer;

/** The replay's progress bar on stderr, redrawn when the percentage changes; only on a terminal. */
final class ProgressBar {
    private ProgressBar() {
    }

    /** A bar over {@code total} requests, or null (no bar) for JSON, {@code --no-progress} or no terminal. */
    static IntConsumer of(boolean wanted, int total, PrintStream err) {
        if (!wanted || System.console() == null) {
            return null;
        }
        int[] shown = {-1};
        return done -> {
            int percent = (int) (100L * done / total);
            if (percent != shown[0]) {
                shown[0] = percent;
                int bar = percent / 4;
                err.print("\r[" + "#".repeat(bar) + " ".repeat(25 - bar) + "] " + done + "/" + total + " requests");
                if (done == total) {
                    err.println();
                }
                err.flush();
            }
        };
    }
}
