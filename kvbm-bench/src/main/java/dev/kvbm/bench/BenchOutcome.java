package dev.kvbm.bench;

import java.nio.file.Path;
import java.util.List;

/** What a run produced: its metrics, where the files went, and the regressions against the baseline. */
public record BenchOutcome(List<Metric> metrics, Path jmhJson, Path summary, List<Path> charts,
                           List<Regression> regressions, int comparedWithBaseline) {
}
