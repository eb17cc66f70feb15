package dev.kvbm.cli.internal;

import dev.kvbm.bench.BenchOptions;
import dev.kvbm.bench.BenchOutcome;
import dev.kvbm.bench.BenchRunner;
import dev.kvbm.bench.Metric;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kvbm bench}: the JMH suite, its references, charts, and the regression gate. */
@Command(name = "bench", description = "Run the JMH suite (each figure next to its in-run physical reference), write JSON, "
        + "a summary and charts, and compare with a baseline.", customSynopsis = "kvbm bench [--quick | --smoke] "
        + "[--filter REGEX] [--baseline FILE] [--save-baseline FILE] [--threshold PCT] [--out DIR]")
final class BenchCommand extends Subcommand {
    /** Exit status when the run regressed against the baseline. */
    static final int REGRESSED = Cli.REGRESSED;

    /** How much to run: one of the two, or the full matrix. */
    static final class Size {
        @Option(names = "--quick", arity = "0",
                description = "a reduced matrix that finishes within 5 minutes on 2 cores")
        boolean quick;
        @Option(names = "--smoke", arity = "0",
                description = "one short iteration of one point per benchmark (CI: runs, judges nothing)")
        boolean smoke;
    }

    @ArgGroup(exclusive = true)
    Size size;
    @Option(names = "--filter", paramLabel = "REGEX", description = "only benchmarks whose name matches")
    String filter;
    @Option(names = "--baseline", paramLabel = "FILE", description = "compare with this baseline; regressions exit with "
            + "status 3")
    String baseline;
    @Option(names = "--save-baseline", paramLabel = "FILE", description = "write this run as a baseline")
    String saveBaseline;
    @Range(min = 1, max = 99)
    @Option(names = "--threshold", paramLabel = "PCT", defaultValue = "10", description = "speed drop that counts as a "
            + "regression, in percent (1..99)")
    int threshold;
    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default kvbm-out/bench-<time>)")
    String outDir;

    @Override
    public Map<String, String> fieldOptions() {
        return Map.of("filter", "--filter", "threshold", "--threshold", "baseline", "--baseline", "out", "--out");
    }

    @Override
    public Integer call() {
        OptionalModules.require(OptionalModules.BENCH);
        BenchOptions.Mode mode = size != null && size.smoke ? BenchOptions.Mode.SMOKE
                : size != null && size.quick ? BenchOptions.Mode.QUICK : BenchOptions.Mode.FULL;
        double threshold = this.threshold / 100.0;
        Path outDir = this.outDir != null ? Path.of(this.outDir) : Path.of("kvbm-out",
                "bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        BenchOptions options = new BenchOptions(mode, filter, outDir, Optional.ofNullable(baseline).map(Path::of),
                Optional.ofNullable(saveBaseline).map(Path::of), threshold);
        BenchOutcome outcome = BenchRunner.run(options, out);
        out.println();
        out.printf("%-40s %14s %14s %16s%n", "metric", "value", "reference", "speed vs ref");
        for (Metric m : outcome.metrics()) {
            out.printf(Locale.ROOT, "%-40s %9.3g %-4s %14.3g %9.3f ± %.3f%n", m.id(), m.value(), unit(m.unit()),
                    m.reference(), m.speed(), m.speedError());
        }
        out.println();
        out.println("JMH results: " + outcome.jmhJson());
        out.println("summary:     " + outcome.summary());
        outcome.charts().forEach(c -> out.println("chart:       " + c));
        if (saveBaseline != null) {
            out.println("baseline written: " + saveBaseline);
        }
        if (baseline != null) {
            out.printf("compared %d metrics with %s (threshold %.0f%%)%n", outcome.comparedWithBaseline(), baseline,
                    threshold * 100);
            if (!outcome.regressions().isEmpty()) {
                out.println("REGRESSED:");
                out.print(BenchRunner.regressionTable(outcome.regressions()));
                return REGRESSED;
            }
            out.println("no regression");
        }
        return Cli.OK;
    }

    private static String unit(String u) {
        return u.equals("ns/token") ? "ns/t" : u;
    }
}
