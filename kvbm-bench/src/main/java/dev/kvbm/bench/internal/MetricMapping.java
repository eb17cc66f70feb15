package dev.kvbm.bench.internal;

import dev.kvbm.bench.Metric;
import dev.kvbm.bench.benchmarks.BlockPoolBenchmark;
import dev.kvbm.bench.benchmarks.DiskCopyBenchmark;
import dev.kvbm.bench.benchmarks.HostCopyBenchmark;
import dev.kvbm.bench.benchmarks.SequenceHashBenchmark;
import dev.kvbm.bench.benchmarks.ZmqRoundTripBenchmark;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * Turns JMH results into {@link Metric}s: each benchmark class names its measured method, the reference method run
 * with the same parameters, and how the pair becomes a metric. Classes are keyed by their {@link Class}, so a
 * renamed benchmark fails to compile here instead of silently dropping out of the summary.
 */
public final class MetricMapping {

    /** One benchmark class: its measured method, its reference method, and the metric of a (measured, reference) pair. */
    private record Pairing(String measured, String reference, BiFunction<RunResult, RunResult, Metric> metric) {
    }

    private static final Map<String, Pairing> PAIRINGS = Map.of(
            HostCopyBenchmark.class.getSimpleName(), new Pairing("engine", "memcpy", MetricMapping::hostCopy),
            BlockPoolBenchmark.class.getSimpleName(), new Pairing(null, "hashMapReference", MetricMapping::pool),
            DiskCopyBenchmark.class.getSimpleName(), new Pairing("engine", "fileChannelReference", MetricMapping::disk),
            SequenceHashBenchmark.class.getSimpleName(), new Pairing("sequenceHashes", "xxh3Reference",
                    MetricMapping::hash));

    /** The disk benchmark's auxiliary counter: fio's GB/s (DiskCopyBenchmark.FioReference). */
    private static final String FIO_COUNTER = "fioGbps";

    private MetricMapping() {
    }

    /** Pairs every measured benchmark with its reference benchmark of the same parameters. */
    public static List<Metric> metrics(Collection<RunResult> results) {
        Map<String, RunResult> byKey = new HashMap<>();
        for (RunResult r : results) {
            byKey.put(key(r), r);
        }
        List<Metric> metrics = new ArrayList<>();
        for (RunResult r : results) {
            if (className(r).equals(ZmqRoundTripBenchmark.class.getSimpleName())) {
                metrics.addAll(zmq(r));
                continue;
            }
            Pairing pairing = PAIRINGS.get(className(r));
            String method = method(r);
            // A null measured method: every method but the reference is measured (the pool's operations).
            if (pairing == null || method.equals(pairing.reference())
                    || (pairing.measured() != null && !method.equals(pairing.measured()))) {
                continue;
            }
            RunResult ref = byKey.get(key(r).replace("#" + method + "#", "#" + pairing.reference() + "#"));
            if (ref != null) {
                metrics.add(pairing.metric().apply(r, ref));
            }
            fio(r).ifPresent(metrics::add);
        }
        return metrics;
    }

    private static Metric hostCopy(RunResult r, RunResult ref) {
        int kib = Integer.parseInt(r.getParams().getParam("blockKiB"));
        int batch = Integer.parseInt(r.getParams().getParam("batch"));
        String layouts = r.getParams().getParam("layouts");
        double bytesPerOp = kib * 1024.0 * batch;
        return Metric.of("host-copy/" + layouts + "/" + kib + "KiB/x" + batch, "host-copy", kib,
                "engine " + layouts + " x" + batch, gbps(r.getPrimaryResult().getScore(), bytesPerOp),
                gbps(err(r), bytesPerOp), "GB/s", gbps(ref.getPrimaryResult().getScore(), bytesPerOp),
                gbps(err(ref), bytesPerOp), true);
    }

    private static Metric pool(RunResult r, RunResult ref) {
        String method = method(r);
        int size = Integer.parseInt(r.getParams().getParam("poolSize"));
        return Metric.of("pool/" + method + "/" + size, "pool", size, method, r.getPrimaryResult().getScore(), err(r),
                "ns/op", ref.getPrimaryResult().getScore(), err(ref), false);
    }

    private static Metric disk(RunResult r, RunResult ref) {
        int kib = Integer.parseInt(r.getParams().getParam("diskBlockKiB"));
        double bytesPerOp = kib * 1024.0 * 16;
        return Metric.of(diskId("disk", r), "disk", kib, r.getParams().getParam("engine") + " "
                        + r.getParams().getParam("direction"), gbps(r.getPrimaryResult().getScore(), bytesPerOp),
                gbps(err(r), bytesPerOp), "GB/s", gbps(ref.getPrimaryResult().getScore(), bytesPerOp),
                gbps(err(ref), bytesPerOp), true);
    }

    private static String diskId(String group, RunResult r) {
        return group + "/" + r.getParams().getParam("engine") + "/" + r.getParams().getParam("direction") + "/"
                + r.getParams().getParam("diskBlockKiB") + "KiB/x16";
    }

    /** A disk engine against fio QD4 run before each of its iterations in the same fork, when fio ran. */
    private static java.util.Optional<Metric> fio(RunResult r) {
        Result fio = r.getSecondaryResults().get(FIO_COUNTER);
        if (fio == null || !(fio.getStatistics().getMin() > 0)) {
            return java.util.Optional.empty();
        }
        int kib = Integer.parseInt(r.getParams().getParam("diskBlockKiB"));
        double bytesPerOp = kib * 1024.0 * 16;
        return java.util.Optional.of(Metric.of(diskId("disk-fio", r), "disk-fio", kib, r.getParams().getParam("engine")
                        + " " + r.getParams().getParam("direction") + " vs fio QD4",
                gbps(r.getPrimaryResult().getScore(), bytesPerOp), gbps(err(r), bytesPerOp), "GB/s", mean(fio),
                err(fio), true));
    }

    /** The disk benchmarks whose fio reference was missing in some iteration (fio installed but failing). */
    public static List<String> fioFailures(Collection<RunResult> results) {
        List<String> failed = new ArrayList<>();
        for (RunResult r : results) {
            Result fio = r.getSecondaryResults().get(FIO_COUNTER);
            if (fio != null && !(fio.getStatistics().getMin() > 0)) {
                failed.add("fio reference of " + diskId("disk", r));
            }
        }
        return failed;
    }

    /**
     * The ZeroMQ round trips, all medians of the same interleaved iterations (JMH auxiliary counters): the transfer
     * against the ping to the same worker processes, the ping against a raw JeroMQ REQ/REP round trip, and the
     * transfer's 99th percentile against its median.
     */
    private static List<Metric> zmq(RunResult r) {
        Map<String, Result> aux = r.getSecondaryResults();
        List<String> needed = List.of("transferP50Micros", "transferP99Micros", "pingP50Micros", "reqRepP50Micros");
        if (!aux.keySet().containsAll(needed)) {
            return List.of(); // an older or interrupted run: nothing to pair
        }
        Result transfer = aux.get("transferP50Micros");
        Result ping = aux.get("pingP50Micros");
        Result reqRep = aux.get("reqRepP50Micros");
        Result p99 = aux.get("transferP99Micros");
        return List.of(
                Metric.of("zmq/transfer_blocks/16x2", "zmq", 16, "transfer_blocks p50 vs ping p50, 2 worker processes",
                        mean(transfer), err(transfer), "us", mean(ping), err(ping), false),
                Metric.of("zmq/ping/2", "zmq", 2, "ping p50 vs JeroMQ REQ/REP p50", mean(ping), err(ping), "us",
                        mean(reqRep), err(reqRep), false),
                Metric.of("zmq/transfer_blocks/16x2/p99", "zmq", 16, "transfer_blocks p99 vs its p50", mean(p99),
                        err(p99), "us", mean(transfer), err(transfer), false));
    }

    private static Metric hash(RunResult r, RunResult ref) {
        int bs = Integer.parseInt(r.getParams().getParam("blockSize"));
        double t = SequenceHashBenchmark.TOKENS;
        return Metric.of("hash/sequence/" + bs, "hash", bs, "sequence hashes", r.getPrimaryResult().getScore() / t,
                err(r) / t, "ns/token", ref.getPrimaryResult().getScore() / t, err(ref) / t, false);
    }

    /**
     * The mean over the measurement iterations of an auxiliary counter: JMH's score of an {@code EVENTS} counter is
     * their sum.
     */
    private static double mean(Result aux) {
        return aux.getStatistics().getMean();
    }

    /**
     * Half-width of the 95% confidence interval of a result (JMH's own score error is the 99.9% one, which with
     * the few iterations of a quick run is too wide to ever see a regression); NaN with a single sample.
     */
    private static double err(RunResult r) {
        return err(r.getPrimaryResult());
    }

    private static double err(Result result) {
        var stats = result.getStatistics();
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

}
