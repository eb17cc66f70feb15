package dev.kvbm.bench.internal;

import dev.kvbm.bench.Metric;
import dev.kvbm.bench.benchmarks.BlockPoolBenchmark;
import dev.kvbm.bench.benchmarks.DiskCopyBenchmark;
import dev.kvbm.bench.benchmarks.HostCopyBenchmark;
import dev.kvbm.bench.benchmarks.Interleaved;
import dev.kvbm.bench.benchmarks.PlanningBenchmark;
import dev.kvbm.bench.benchmarks.SequenceHashBenchmark;
import dev.kvbm.bench.benchmarks.ZmqRoundTripBenchmark;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * Turns JMH results into {@link Metric}s. The host-copy, pool and hash benchmarks time their figure and its
 * reference in the same invocations ({@link Interleaved}): one result carries both as secondary results. The
 * others name their measured method and the reference method run with the same parameters in another fork.
 * Classes are keyed by their {@link Class}, so a renamed benchmark fails to compile here instead of silently
 * dropping out of the summary.
 */
public final class MetricMapping {

    /** One benchmark class: its measured method, its reference method, and the metric of a (measured, reference) pair. */
    private record Pairing(String measured, String reference, BiFunction<RunResult, RunResult, Metric> metric) {
    }

    private static final Map<String, Pairing> PAIRINGS = Map.of(
            DiskCopyBenchmark.class.getSimpleName(), new Pairing("engine", "fileChannelReference", MetricMapping::disk),
            PlanningBenchmark.class.getSimpleName(), new Pairing("plan", "planFcFc", MetricMapping::planning));

    /** The secondary results of an {@link Interleaved} benchmark: its counter methods' names. */
    private static final String MEASURED = "measured";
    private static final String REFERENCE = "reference";

    /** The benchmarks whose results carry their reference ({@link Interleaved}), and the metric of such a result. */
    private static final Map<String, Function<RunResult, Metric>> INTERLEAVED = Map.of(
            HostCopyBenchmark.class.getSimpleName(), MetricMapping::hostCopy,
            BlockPoolBenchmark.class.getSimpleName(), MetricMapping::pool,
            SequenceHashBenchmark.class.getSimpleName(), MetricMapping::hash);

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
            Function<RunResult, Metric> interleaved = INTERLEAVED.get(className(r));
            if (interleaved != null) {
                metrics.add(interleaved.apply(r));
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

    /** Engine and libc memcpy GB/s from their nanoseconds per byte (1 / (ns/byte) = GB/s). */
    private static Metric hostCopy(RunResult r) {
        int kib = Integer.parseInt(r.getParams().getParam("blockKiB"));
        int batch = Integer.parseInt(r.getParams().getParam("batch"));
        String layouts = r.getParams().getParam("layouts");
        Result engine = secondary(r, MEASURED);
        Result memcpy = secondary(r, REFERENCE);
        return Metric.of("host-copy/" + layouts + "/" + kib + "KiB/x" + batch, "host-copy", kib,
                "engine " + layouts + " x" + batch, 1 / mean(engine), inverseErr(engine), "GB/s",
                1 / mean(memcpy), inverseErr(memcpy), true);
    }

    private static Metric pool(RunResult r) {
        String method = method(r);
        int size = Integer.parseInt(r.getParams().getParam("poolSize"));
        Result pool = secondary(r, MEASURED);
        Result map = secondary(r, REFERENCE);
        return Metric.of("pool/" + method + "/" + size, "pool", size, method, mean(pool), err(pool), "ns/op",
                mean(map), err(map), false);
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
     * transfer's 99th percentile against its median; and, for where the limits are, the ping against the same
     * messaging done with bare JeroMQ (a raw broadcast to the same processes) and the REQ/REP's 99th percentile
     * against its median (how much of the transfer's tail the platform has by itself).
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
        List<Metric> metrics = new java.util.ArrayList<>(List.of(
                Metric.of("zmq/transfer_blocks/16x2", "zmq", 16, "transfer_blocks p50 vs ping p50, 2 worker processes",
                        mean(transfer), err(transfer), "us", mean(ping), err(ping), false),
                Metric.of("zmq/ping/2", "zmq", 2, "ping p50 vs JeroMQ REQ/REP p50", mean(ping), err(ping), "us",
                        mean(reqRep), err(reqRep), false),
                Metric.of("zmq/transfer_blocks/16x2/p99", "zmq", 16, "transfer_blocks p99 vs its p50", mean(p99),
                        err(p99), "us", mean(transfer), err(transfer), false)));
        Result broadcast = aux.get("broadcastP50Micros");
        if (broadcast != null) { // the ping's messaging done with bare JeroMQ (runs before it was measured lack it)
            metrics.add(Metric.of("zmq/ping/2/raw-broadcast", "zmq", 2, "ping p50 vs a raw JeroMQ broadcast p50 (XPUB to "
                    + "the same 2 processes, each answering on PUSH)", mean(ping), err(ping), "us", mean(broadcast),
                    err(broadcast), false));
        }
        Result reqRepP99 = aux.get("reqRepP99Micros");
        if (reqRepP99 != null) { // the platform's tail beside the transfer's (runs before it was measured lack it)
            metrics.add(Metric.of("zmq/reqrep/p99", "zmq", 1, "JeroMQ REQ/REP p99 vs its p50 (the platform's tail)",
                    mean(reqRepP99), err(reqRepP99), "us", mean(reqRep), err(reqRep), false));
        }
        return metrics;
    }

    /** Planning a batch of {@code layouts} against planning the same batch fc-fc, the cheapest plan there is. */
    private static Metric planning(RunResult r, RunResult ref) {
        int batch = Integer.parseInt(r.getParams().getParam("batch"));
        String layouts = r.getParams().getParam("layouts");
        return Metric.of("planning/" + layouts + "/x" + batch, "planning", batch, "plan " + layouts,
                r.getPrimaryResult().getScore(), err(r), "ns/op", ref.getPrimaryResult().getScore(), err(ref), false);
    }

    private static Metric hash(RunResult r) {
        int bs = Integer.parseInt(r.getParams().getParam("blockSize"));
        Result hashes = secondary(r, MEASURED);
        Result loop = secondary(r, REFERENCE);
        return Metric.of("hash/sequence/" + bs, "hash", bs, "sequence hashes", mean(hashes), err(hashes),
                "ns/token", mean(loop), err(loop), false);
    }

    private static Result secondary(RunResult r, String name) {
        Result result = r.getSecondaryResults().get(name);
        if (result == null) {
            throw new IllegalStateException(r.getParams().getBenchmark() + " reported no '" + name
                    + "' result; its secondary results: " + r.getSecondaryResults().keySet());
        }
        return result;
    }

    /**
     * The mean of an {@link Interleaved} counter over the iterations (JMH's score of such a counter is their sum:
     * it adds up events).
     */
    private static double mean(Result r) {
        return r.getStatistics().getMean();
    }

    /** The half-width of 1/x from that of x (to first order: err / x^2). */
    private static double inverseErr(Result r) {
        return err(r) / (mean(r) * mean(r));
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
