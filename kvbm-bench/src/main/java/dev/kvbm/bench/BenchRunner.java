package dev.kvbm.bench;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.ProviderNames;
import dev.kvbm.bench.benchmarks.SequenceHashBenchmark;
import dev.kvbm.bench.internal.BenchPlan;
import dev.kvbm.bench.internal.BenchSummary;
import dev.kvbm.bench.internal.Charts;
import dev.kvbm.bench.internal.ExternalReferences;
import dev.kvbm.bench.internal.Fio;
import dev.kvbm.bench.internal.ForkClasspath;
import dev.kvbm.bench.internal.MetricMapping;
import dev.kvbm.bench.internal.RedisG4Measurement;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import dev.kvbm.core.providers.ProviderRegistry;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;

/**
 * Runs kvbm's JMH suite in forked JVMs ({@link BenchPlan}), turns each benchmark and its in-run reference into a
 * {@link Metric} ({@link MetricMapping}), adds the external references, writes JMH's JSON, a Markdown summary
 * ({@link BenchSummary}) and PNG charts, and gates against a baseline ({@link Baseline#compare}).
 */
public final class BenchRunner {
    private static final String HOST_MODULE = "dev.kvbm.tier.host";
    private static final String ZMQ_MODULE = "dev.kvbm.transport.zmq";
    private static final String CUDA_MODULE = "dev.kvbm.tier.cuda";

    private BenchRunner() {
    }

    public static BenchOutcome run(BenchOptions o, PrintStream log) {
        // Everything is checked before the output directory is made: a bad run leaves nothing behind.
        checkFilter(o);
        o.baseline().ifPresent(file -> {
            if (!Files.isRegularFile(file)) {
                throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "baseline", "no such baseline file: " + file);
            }
        });
        Optional<Baseline> baseline = o.baseline().map(Baseline::read); // a bad baseline fails before the run
        if (Files.exists(o.out()) && !Files.isDirectory(o.out())) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "out", o.out() + " is a file, not a directory");
        }
        try {
            Files.createDirectories(o.out());
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot create " + o.out() + ": " + e.getMessage(), e);
        }
        Path json = o.out().resolve("jmh.json");
        List<ExternalReferences.Skipped> skipped = new ArrayList<>();
        // A benchmark of an optional module that is not in the distribution is left out and listed as skipped.
        List<String> excluded = new ArrayList<>();
        boolean host = present(HOST_MODULE, "host-copy and disk benchmarks", skipped);
        if (!host) {
            excluded.add("HostCopyBenchmark");
        }
        if (!present(ZMQ_MODULE, "transfer_blocks round trip", skipped)) {
            excluded.add("ZmqRoundTripBenchmark");
        }
        List<String> diskEngines = host ? availableDiskEngines() : List.of(); // the disk benchmark copies from host memory
        Options plan = BenchPlan.options(o, diskEngines, excluded, json);
        Collection<RunResult> results;
        boolean anyJmh = benchmarkClasses().stream().filter(n -> !excluded.contains(n)).anyMatch(n -> matches(o, n));
        try {
            // A filter naming only a measurement beside JMH (CudaCopy) runs no fork: JMH fails on an empty plan.
            results = anyJmh ? ForkClasspath.whileForking(() -> new Runner(plan).run()) : List.of();
        } catch (RunnerException e) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the benchmark run failed: " + e.getMessage(), e);
        }
        List<Metric> metrics = new ArrayList<>(MetricMapping.metrics(results));
        if (o.mode() != BenchOptions.Mode.SMOKE && matches(o, "CudaCopy")
                && present(CUDA_MODULE, "cuda G1<->G2 copies", skipped)) {
            metrics.addAll(ExternalReferences.cuda(o.mode() == BenchOptions.Mode.FULL ? 20 : 5, skipped));
        }
        if (matches(o, "DiskCopy") && !diskEngines.isEmpty()) {
            if (Fio.find().isEmpty()) {
                skipped.add(new ExternalReferences.Skipped("fio reference", Fio.ABSENT));
            } else {
                MetricMapping.fioFailures(results).forEach(what -> skipped.add(new ExternalReferences.Skipped(what,
                        "fio failed in the benchmark's fork (its output says why)")));
            }
        }
        if (o.mode() != BenchOptions.Mode.SMOKE && matches(o, RedisG4Measurement.NAME)) {
            metrics.addAll(RedisG4Measurement.measure(RedisG4Measurement.Settings.of(o.mode()),
                    System.getenv().getOrDefault("PATH", ""), log, skipped));
        }
        List<Path> charts = new ArrayList<>();
        chart(metrics, "host-copy", "Host copies (memcpy engine) vs libc memcpy, same run", "block KiB",
                "libc memcpy", o.out().resolve("host-copy.png"), charts);
        chart(metrics, "disk", "Disk engines (16 scattered blocks) vs O_DIRECT FileChannel, same run", "block KiB",
                "O_DIRECT FileChannel", o.out().resolve("disk.png"), charts);
        chart(metrics, "pool", "Block pool cost per operation vs pool size", "blocks in the pool",
                "HashMap reference", o.out().resolve("pool.png"), charts);
        List<Regression> regressions = baseline.map(base -> base.compare(metrics, o.threshold())).orElse(List.of());
        int compared = baseline.map(base -> base.overlap(metrics)).orElse(0);
        Path summary = o.out().resolve("summary.md");
        String text = BenchSummary.summary(metrics, regressions, baseline.isPresent(), compared, o.threshold());
        if (!skipped.isEmpty()) {
            StringBuilder sk = new StringBuilder("\n## skipped\n\n");
            skipped.forEach(x -> sk.append("- ").append(x.what()).append(": ").append(x.why()).append('\n'));
            text += sk;
            skipped.forEach(x -> log.println("skipped " + x.what() + ": " + x.why()));
        }
        write(summary, text);
        o.saveBaseline().ifPresent(p -> Baseline.of(metrics).write(p));
        return new BenchOutcome(metrics, json, summary, charts, regressions, compared);
    }

    /** Whether {@code module} is in the boot layer; when not, records that {@code what} is skipped for it. */
    private static boolean present(String module, String what, List<ExternalReferences.Skipped> skipped) {
        if (ModuleLayer.boot().findModule(module).isPresent()) {
            return true;
        }
        skipped.add(new ExternalReferences.Skipped(what, "module " + module + " is not in this distribution"));
        return false;
    }

    /** The JMH benchmark classes of this module (from the annotation processor's META-INF/BenchmarkList). */
    static java.util.SortedSet<String> benchmarkClasses() {
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        try (var in = BenchRunner.class.getResourceAsStream("/META-INF/BenchmarkList")) {
            if (in != null) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("dev\\.kvbm\\.bench\\.benchmarks\\.(\\w+Benchmark)\\b")
                        .matcher(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot read the benchmark list: " + e.getMessage(), e);
        }
        return names;
    }

    /** A filter that is no regular expression, or that matches no benchmark, is refused before anything runs. */
    static void checkFilter(BenchOptions o) {
        if (o.filter() == null) {
            return;
        }
        java.util.regex.Pattern p;
        try {
            p = java.util.regex.Pattern.compile(o.filter());
        } catch (java.util.regex.PatternSyntaxException e) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "filter", "--filter is not a regular expression: "
                    + e.getDescription());
        }
        java.util.SortedSet<String> known = benchmarkClasses();
        known.add("CudaCopy"); // measured beside JMH (ExternalReferences), where a GPU is usable
        known.add(RedisG4Measurement.NAME); // measured beside JMH, where redis-server and redis-benchmark are installed
        if (known.stream().noneMatch(n -> p.matcher(n).find())) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "filter", "no benchmark matches --filter '"
                    + o.filter() + "' (benchmarks: " + String.join(", ", known) + ")");
        }
    }

    /** Whether the run's filter admits a measurement named like {@code name} (everything without a filter). */
    private static boolean matches(BenchOptions o, String name) {
        return o.filter() == null || java.util.regex.Pattern.compile(o.filter()).matcher(name).find();
    }

    /** The disk engines usable here (the forks see the same machine). */
    static List<String> availableDiskEngines() {
        List<String> engines = new ArrayList<>();
        for (String name : List.of(ProviderNames.POSIX, ProviderNames.IO_URING)) {
            ProviderRegistry.load().engineProviders().stream()
                    .filter(p -> p.name().equals(name) && p.isAvailable()).findFirst().ifPresent(p -> engines.add(name));
        }
        return engines;
    }

    private static void chart(List<Metric> metrics, String group, String title, String xLabel, String reference, Path file,
                              List<Path> charts) {
        if (Charts.draw(metrics.stream().filter(m -> m.group().equals(group)).toList(), title, xLabel, reference, file)) {
            charts.add(file);
        }
    }

    /** The Markdown table of {@code regressions}. */
    public static String regressionTable(List<Regression> regressions) {
        return BenchSummary.regressionTable(regressions);
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
