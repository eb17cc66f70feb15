package dev.kvbm.cli.internal;

import dev.kvbm.bench.BenchOptions;
import dev.kvbm.bench.BenchOutcome;
import dev.kvbm.bench.BenchRunner;
import dev.kvbm.bench.Metric;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code kvbm bench}: the JMH suite, its references, charts, and the regression gate. */
final class BenchCommand implements Command {
    /** Exit status when the run regressed against the baseline. */
    static final int REGRESSED = 3;

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "Run the JMH suite (each figure next to its in-run physical reference), write JSON, a summary and charts, "
                + "and compare with a baseline.";
    }

    @Override
    public String usage() {
        return "[--quick | --smoke] [--filter REGEX] [--baseline FILE] [--save-baseline FILE] [--threshold PCT] [--out DIR]";
    }

    @Override
    public List<Args.Spec> options() {
        return List.of(
                Args.Spec.flag("--quick", "a reduced matrix that finishes within 5 minutes on 2 cores"),
                Args.Spec.flag("--smoke", "one short iteration of one point per benchmark (CI: runs, judges nothing)"),
                Args.Spec.value("--filter", "REGEX", "only benchmarks whose name matches"),
                Args.Spec.value("--baseline", "FILE", "compare with this baseline; regressions exit with status 3"),
                Args.Spec.value("--save-baseline", "FILE", "write this run as a baseline"),
                Args.Spec.value("--threshold", "PCT", "speed drop that counts as a regression, in percent (default 10)"),
                Args.Spec.value("--out", "DIR", "output directory (default kvbm-out/bench-<time>)"));
    }

    @Override
    public Map<String, String> fieldOptions() {
        return Map.of("filter", "--filter", "threshold", "--threshold", "baseline", "--baseline");
    }

    @Override
    public int run(Args args, PrintStream out) {
        OptionalModules.require(OptionalModules.BENCH);
        if (args.flag("--quick") && args.flag("--smoke")) {
            throw new UsageException("--quick and --smoke exclude each other");
        }
        BenchOptions.Mode mode = args.flag("--smoke") ? BenchOptions.Mode.SMOKE
                : args.flag("--quick") ? BenchOptions.Mode.QUICK : BenchOptions.Mode.FULL;
        double threshold = BenchOptions.DEFAULT_THRESHOLD;
        if (args.string("--threshold").isPresent()) {
            threshold = Args.parseInt("--threshold", args.string("--threshold").get(), 1, 99) / 100.0;
        }
        Path outDir = args.string("--out").map(Path::of).orElse(Path.of("kvbm-out",
                "bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        BenchOptions options = new BenchOptions(mode, args.string("--filter").orElse(null), outDir,
                args.string("--baseline").map(Path::of), args.string("--save-baseline").map(Path::of), threshold);
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
        args.string("--save-baseline").ifPresent(p -> out.println("baseline written: " + p));
        if (args.string("--baseline").isPresent()) {
            out.printf("compared %d metrics with %s (threshold %.0f%%)%n", outcome.comparedWithBaseline(),
                    args.string("--baseline").get(), threshold * 100);
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
