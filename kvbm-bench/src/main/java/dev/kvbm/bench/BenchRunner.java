package dev.kvbm.bench;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.ProviderNames;
import dev.kvbm.bench.benchmarks.SequenceHashBenchmark;
import dev.kvbm.bench.internal.Charts;
import dev.kvbm.bench.internal.ExternalReferences;
import dev.kvbm.bench.internal.ForkClasspath;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import dev.kvbm.core.providers.ProviderRegistry;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs kvbm's JMH suite in forked JVMs, turns each benchmark and its in-run reference into a
 * {@link Metric}, writes JMH's JSON, a Markdown summary and PNG charts, and compares with a baseline.
 */
public final class BenchRunner {
    private static final String PACKAGE = "dev.kvbm.bench.benchmarks.";
    private static final String HOST_MODULE = "dev.kvbm.tier.host";
    private static final String ZMQ_MODULE = "dev.kvbm.transport.zmq";
    private static final String CUDA_MODULE = "dev.kvbm.tier.cuda";

    private BenchRunner() {
    }

    public static BenchOutcome run(BenchOptions o, PrintStream log) {
        try {
            Files.createDirectories(o.out());
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot create " + o.out() + ": " + e.getMessage(), e);
        }
        Optional<Baseline> baseline = o.baseline().map(Baseline::read); // a bad baseline fails before the run
        Path json = o.out().resolve("jmh.json");
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(PACKAGE + (o.filter() == null ? ".*" : ".*(" + o.filter() + ").*"))
                .forks(1)
                // Replaces the default (this JVM's own arguments, which would put the fork on the module path).
                .jvmArgs(ForkClasspath.JVM_ARGS.toArray(String[]::new))
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .shouldFailOnError(true);
        List<ExternalReferences.Skipped> skipped = new ArrayList<>();
        // A benchmark of an optional module that is not in the distribution is left out and listed as skipped.
        boolean host = present(HOST_MODULE, "host-copy and disk benchmarks", skipped);
        if (!host) {
            b.exclude(PACKAGE + "HostCopyBenchmark.*");
        }
        if (!present(ZMQ_MODULE, "transfer_blocks round trip", skipped)) {
            b.exclude(PACKAGE + "ZmqRoundTripBenchmark.*");
        }
        List<String> diskEngines = host ? availableDiskEngines() : List.of(); // the disk benchmark copies from host memory
        if (diskEngines.isEmpty()) {
            b.exclude(PACKAGE + "DiskCopyBenchmark.*"); // no disk module or no usable engine here
        } else {
            List<String> engines = o.mode() == BenchOptions.Mode.SMOKE ? diskEngines.subList(0, 1) : diskEngines;
            b.param("engine", engines.toArray(String[]::new));
        }
        switch (o.mode()) {
            case SMOKE -> b.warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(100))
                    .param("blockKiB", "64").param("batch", "1").param("layouts", "fc-fc")
                    .param("poolSize", "1000").param("blockSize", "32")
                    .param("diskBlockKiB", "256").param("direction", "write");
            case QUICK -> b.warmupIterations(1).warmupTime(TimeValue.milliseconds(400))
                    .measurementIterations(5).measurementTime(TimeValue.milliseconds(300))
                    .param("blockKiB", "64", "256", "2048", "8192").param("batch", "16").param("layouts", "fc-fc", "ls-fc")
                    .param("poolSize", "1000", "1000000").param("blockSize", "32");
            case FULL -> b.warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1));
        }
        Collection<RunResult> results;
        String savedClasspath = System.getProperty("java.class.path");
        System.setProperty("java.class.path", ForkClasspath.compute()); // what JMH hands its forks
        try {
            results = new Runner(b.build()).run();
        } catch (RunnerException e) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the benchmark run failed: " + e.getMessage(), e);
        } finally {
            System.setProperty("java.class.path", savedClasspath == null ? "" : savedClasspath);
        }
        List<Metric> metrics = new ArrayList<>(metrics(results));
        if (o.mode() != BenchOptions.Mode.SMOKE && matches(o, "CudaCopy")
                && present(CUDA_MODULE, "cuda G1<->G2 copies", skipped)) {
            metrics.addAll(ExternalReferences.cuda(o.mode() == BenchOptions.Mode.FULL ? 20 : 5, skipped));
        }
        if (o.mode() != BenchOptions.Mode.SMOKE && matches(o, "DiskCopy") && !diskEngines.isEmpty()) {
            metrics.addAll(ExternalReferences.fio(List.of(256, 2048), Path.of(System.getProperty("java.io.tmpdir")),
                    skipped));
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
        String text = summary(metrics, regressions, baseline.isPresent(), compared, o.threshold());
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

    /** Pairs every measured benchmark with its reference benchmark of the same parameters. */
    static List<Metric> metrics(Collection<RunResult> results) {
        Map<String, RunResult> byKey = new HashMap<>();
        for (RunResult r : results) {
            byKey.put(key(r), r);
        }
        List<Metric> metrics = new ArrayList<>();
        for (RunResult r : results) {
            String method = method(r);
            switch (className(r)) {
                case "HostCopyBenchmark" -> {
                    if (!method.equals("engine")) {
                        continue;
                    }
                    RunResult ref = byKey.get(key(r).replace("#engine#", "#memcpy#"));
                    if (ref == null) {
                        continue;
                    }
                    int kib = Integer.parseInt(r.getParams().getParam("blockKiB"));
                    int batch = Integer.parseInt(r.getParams().getParam("batch"));
                    String layouts = r.getParams().getParam("layouts");
                    double bytesPerOp = kib * 1024.0 * batch;
                    metrics.add(Metric.of("host-copy/" + layouts + "/" + kib + "KiB/x" + batch, "host-copy", kib,
                            "engine " + layouts + " x" + batch, gbps(r.getPrimaryResult().getScore(), bytesPerOp),
                            gbps(err(r), bytesPerOp), "GB/s",
                            gbps(ref.getPrimaryResult().getScore(), bytesPerOp),
                            gbps(err(ref), bytesPerOp), true));
                }
                case "BlockPoolBenchmark" -> {
                    if (method.equals("hashMapReference")) {
                        continue;
                    }
                    RunResult ref = byKey.get(key(r).replace("#" + method + "#", "#hashMapReference#"));
                    if (ref == null) {
                        continue;
                    }
                    int size = Integer.parseInt(r.getParams().getParam("poolSize"));
                    metrics.add(Metric.of("pool/" + method + "/" + size, "pool", size, method,
                            r.getPrimaryResult().getScore(), err(r), "ns/op",
                            ref.getPrimaryResult().getScore(), err(ref), false));
                }
                case "DiskCopyBenchmark" -> {
                    if (!method.equals("engine")) {
                        continue;
                    }
                    RunResult ref = byKey.get(key(r).replace("#engine#", "#fileChannelReference#"));
                    if (ref == null) {
                        continue;
                    }
                    int kib = Integer.parseInt(r.getParams().getParam("diskBlockKiB"));
                    String engine = r.getParams().getParam("engine");
                    String dir = r.getParams().getParam("direction");
                    double bytesPerOp = kib * 1024.0 * 16;
                    metrics.add(Metric.of("disk/" + engine + "/" + dir + "/" + kib + "KiB/x16", "disk", kib,
                            engine + " " + dir, gbps(r.getPrimaryResult().getScore(), bytesPerOp),
                            gbps(err(r), bytesPerOp), "GB/s",
                            gbps(ref.getPrimaryResult().getScore(), bytesPerOp),
                            gbps(err(ref), bytesPerOp), true));
                }
                case "ZmqRoundTripBenchmark" -> {
                    if (!method.equals("transferBlocks")) {
                        continue;
                    }
                    RunResult ref = byKey.get(key(r).replace("#transferBlocks#", "#pingReference#"));
                    if (ref == null) {
                        continue;
                    }
                    metrics.add(Metric.of("zmq/transfer_blocks/16x2", "zmq", 16, "transfer_blocks, 2 workers",
                            r.getPrimaryResult().getScore(), err(r), "us/op",
                            ref.getPrimaryResult().getScore(), err(ref), false));
                }
                case "SequenceHashBenchmark" -> {
                    if (!method.equals("sequenceHashes")) {
                        continue;
                    }
                    RunResult ref = byKey.get(key(r).replace("#sequenceHashes#", "#xxh3Reference#"));
                    if (ref == null) {
                        continue;
                    }
                    int bs = Integer.parseInt(r.getParams().getParam("blockSize"));
                    double t = SequenceHashBenchmark.TOKENS;
                    metrics.add(Metric.of("hash/sequence/" + bs, "hash", bs, "sequence hashes",
                            r.getPrimaryResult().getScore() / t, err(r) / t, "ns/token",
                            ref.getPrimaryResult().getScore() / t, err(ref) / t, false));
                }
                default -> { }
            }
        }
        return metrics;
    }

    /**
     * Half-width of the 95% confidence interval of a result (JMH's own score error is the 99.9% one, which with
     * the few iterations of a quick run is too wide to ever see a regression); NaN with a single sample.
     */
    private static double err(RunResult r) {
        var stats = r.getPrimaryResult().getStatistics();
        if (stats.getN() < 2) {
            return Double.NaN;
        }
        double[] ci = stats.getConfidenceIntervalAt(0.95);
        return (ci[1] - ci[0]) / 2;
    }

    private static double gbps(double opsPerSecond, double bytesPerOp) {
        return opsPerSecond * bytesPerOp / 1e9;
    }

    private static String className(RunResult r) {
        String bench = r.getParams().getBenchmark();
        String cls = bench.substring(0, bench.lastIndexOf('.'));
        return cls.substring(cls.lastIndexOf('.') + 1);
    }

    private static String method(RunResult r) {
        String bench = r.getParams().getBenchmark();
        return bench.substring(bench.lastIndexOf('.') + 1);
    }

    /** Class, method and parameters: two benchmarks with the same parameters differ only in the method. */
    private static String key(RunResult r) {
        StringBuilder k = new StringBuilder(className(r)).append('#').append(method(r)).append('#');
        for (String p : r.getParams().getParamsKeys()) {
            k.append(p).append('=').append(r.getParams().getParam(p)).append(';');
        }
        return k.toString();
    }

    static String summary(List<Metric> metrics, List<Regression> regressions, boolean hadBaseline, int compared,
                          double threshold) {
        StringBuilder s = new StringBuilder("# kvbm benchmark summary\n\n");
        s.append("Speed = the figure relative to its physical reference measured in the same run (higher is better); "
                + "± = half-width of the 95% confidence interval.\n\n");
        for (String group : List.of("host-copy", "disk", "disk-fio", "cuda", "zmq", "pool", "hash")) {
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

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
