package dev.kvbm.bench.internal;

import dev.kvbm.bench.BenchOptions;
import java.nio.file.Path;
import java.util.List;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** What a run measures: the JMH options of each mode (smoke, quick, full), the filter and the usable disk engines. */
public final class BenchPlan {
    private static final String PACKAGE = "dev.kvbm.bench.benchmarks.";

    private BenchPlan() {
    }

    /**
     * JMH's options for {@code o}, writing JSON to {@code json}; {@code diskEngines} empty leaves the disk benchmark
     * out, and the benchmark classes named in {@code excluded} (simple names: their module is absent) are left out.
     */
    public static Options options(BenchOptions o, List<String> diskEngines, List<String> excluded, Path json) {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(PACKAGE + (o.filter() == null ? ".*" : ".*(" + o.filter() + ").*"))
                .forks(1)
                // Replaces the default (this JVM's own arguments, which would put the fork on the module path).
                .jvmArgs(ForkClasspath.JVM_ARGS.toArray(String[]::new))
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .shouldFailOnError(true);
        excluded.forEach(benchmark -> b.exclude(PACKAGE + benchmark + ".*"));
        if (diskEngines.isEmpty()) {
            b.exclude(PACKAGE + "DiskCopyBenchmark.*"); // no disk module or no usable engine here
        } else {
            List<String> engines = o.mode() == BenchOptions.Mode.SMOKE ? diskEngines.subList(0, 1) : diskEngines;
            b.param("engine", engines.toArray(String[]::new));
        }
        switch (o.mode()) {
            case SMOKE -> b.warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(100))
                    .param("blockKiB", "64").param("batch", "1").param("layouts", "fc-fc").param("spanMiB", "64")
                    .param("poolSize", "1000").param("blockSize", "32")
                    .param("diskBlockKiB", "256").param("direction", "write");
            case QUICK -> b.warmupIterations(1).warmupTime(TimeValue.milliseconds(400))
                    .measurementIterations(5).measurementTime(TimeValue.milliseconds(300))
                    .param("blockKiB", "64", "256", "2048", "8192").param("batch", "16").param("layouts", "fc-fc", "ls-fc")
                    .param("poolSize", "1000", "1000000").param("blockSize", "32");
            case FULL -> b.warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1));
        }
        return b.build();
    }
}
