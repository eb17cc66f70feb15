package dev.kvbm.bench.internal;

import dev.kvbm.bench.Metric;
import dev.kvbm.bench.Regression;
import java.util.List;
import java.util.Locale;

/** The Markdown of a run: one table per group, each figure next to its reference, and the gate's verdict. */
public final class BenchSummary {
    private BenchSummary() {
    }

    public static String summary(List<Metric> metrics, List<Regression> regressions, boolean hadBaseline, int compared,
                          double threshold) {
        StringBuilder s = new StringBuilder("# kvbm benchmark summary\n\n");
        s.append("Speed = the figure relative to its physical reference measured in the same run (higher is better); "
                + "± = half-width of the 95% confidence interval.\n\n");
        for (String group : List.of("host-copy", "disk", "disk-fio", "cuda", "zmq", "g4-redis", "pool", "hash")) {
            List<Metric> g = metrics.stream().filter(m -> m.group().equals(group)).toList();
            if (g.isEmpty()) {
                continue;
            }
            s.append("## ").append(group).append("\n\n| metric | value | reference | speed |\n|---|---:|---:|---:|\n");
            for (Metric m : g) {
                s.append(String.format(Locale.ROOT, "| %s | %.3g %s %s | %.3g %s | %.3f ± %.3f |%n", m.id(),
                        m.value(), pm(m.error()), m.unit(), m.reference(), pm(m.referenceError()), m.speed(), m.speedError()));
            }
            s.append('\n');
        }
        if (hadBaseline) {
            s.append(String.format(Locale.ROOT, "## against the baseline (%d metrics compared, threshold %.0f%%)%n%n",
                    compared, threshold * 100));
            if (regressions.isEmpty()) {
                s.append("No regression.\n");
            } else {
                s.append(regressionTable(regressions));
            }
        }
        return s.toString();
    }

    /** "± e", or "(1 sample)" when a single iteration gave no error estimate. */
    private static String pm(double error) {
        return Double.isFinite(error) ? String.format(Locale.ROOT, "± %.2g", error) : "(1 sample)";
    }

    public static String regressionTable(List<Regression> regressions) {
        StringBuilder s = new StringBuilder("| regressed metric | baseline speed | speed | drop |\n|---|---:|---:|---:|\n");
        for (Regression r : regressions) {
            s.append(String.format(Locale.ROOT, "| %s | %.3f ± %.3f | %.3f ± %.3f | %.1f%% |%n", r.id(), r.baselineSpeed(),
                    r.baselineError(), r.speed(), r.error(), r.drop() * 100));
        }
        return s.toString();
    }

}
