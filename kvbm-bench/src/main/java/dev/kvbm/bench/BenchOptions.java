package dev.kvbm.bench;

import dev.kvbm.api.KvbmException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How to run the suite.
 *
 * @param mode          {@code FULL} every parameter, {@code QUICK} a reduced matrix that finishes within
 *                      5 minutes on 2 cores, {@code SMOKE} one point per benchmark with one short
 *                      iteration (CI: proves the benchmarks compile and run, judges nothing)
 * @param filter        regular expression over benchmark names; null for all
 * @param out           directory for jmh.json, summary.md and the charts
 * @param baseline      baseline to compare with
 * @param saveBaseline  where to write this run as a baseline
 * @param threshold     relative drop of speed (vs the in-run reference) that counts as a regression
 */
public record BenchOptions(Mode mode, String filter, Path out, Optional<Path> baseline, Optional<Path> saveBaseline,
                           double threshold) {

    public enum Mode { FULL, QUICK, SMOKE }

    public static final double DEFAULT_THRESHOLD = 0.10;

    public BenchOptions {
        if (!(threshold > 0 && threshold < 1)) {
            throw KvbmException.invalid("threshold", threshold, "in (0, 1), e.g. 0.10 for 10%");
        }
        if (filter != null) {
            try {
                java.util.regex.Pattern.compile(filter);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw KvbmException.invalid("filter", "'" + filter + "'", "a valid regular expression (" + e.getDescription() + ")");
            }
        }
    }
}
