package dev.kvbm.core.engine;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.EngineSequence;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.replay.ReplayReport;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.replay.TraceRequest;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.HdrHistogram.Histogram;

/**
 * Replays a trace through a real engine on a {@link ServingSession}, one request at a time in trace
 * order, each from an empty engine sequence (so every reused token comes from kvbm). Beside kvbm's block
 * figures it measures time to first token with kvbm and, for the same requests, a full recompute in the
 * same run, and compares the logits after reuse with a recompute bit for bit.
 *
 * <p>Deterministic: offloads are drained after every request, so hit counts do not depend on timing.
 */
public final class EngineReplayer {

    /**
     * @param traceBlockTokens tokens per trace block id ({@link TraceTokens})
     * @param baselineEvery    recompute every K-th request from scratch for the TTFT comparison (1 = every
     *                         request, 0 = none)
     * @param verify           compare the logits of this many requests with reuse against a recompute
     */
    public record Options(int traceBlockTokens, int baselineEvery, int verify) {
        public Options {
            if (baselineEvery < 0) {
                throw KvbmException.invalid("baselineEvery", baselineEvery, ">= 0 (0: no recompute baseline)");
            }
            if (verify < 0) {
                throw KvbmException.invalid("verify", verify, ">= 0");
            }
        }
    }

    private EngineReplayer() {
    }

    public static EngineReplayReport run(ServingSession session, List<TraceRequest> trace, Options options,
                                         IntConsumer progress) {
        KvBlockManager manager = session.manager();
        TraceTokens tokens = new TraceTokens(options.traceBlockTokens(), session.model().vocabSize());
        int page = session.pageSize();
        Map<Tier, Long> hits = new EnumMap<>(Tier.class);
        manager.tiers().keySet().forEach(t -> hits.put(t, 0L));
        manager.remote().ifPresent(g4 -> hits.put(Tier.G4, 0L));
        Histogram ttft = new Histogram(3);
        Histogram recompute = new Histogram(3);
        Histogram kvbmWork = new Histogram(3);
        Set<Long> everSeen = new HashSet<>();
        long blocks = 0;
        long maxHits = 0;
        long checksumFailures = 0;
        long baselines = 0;
        long verified = 0;
        long mismatches = 0;
        long ttftOfBaselined = 0;
        long recomputeTotal = 0;
        long recomputedBlocks = 0;
        long kvbmNanos = 0;
        long kvbmBlocks = 0;
        long remoteFailuresBefore = manager.remoteChecksumFailures();
        long start = System.nanoTime();
        try (EngineSequence sequence = session.model().newSequence();
             EngineSequence scratch = session.model().newSequence()) {
            for (int r = 0; r < trace.size(); r++) {
                int[] prompt = tokens.prompt(trace.get(r).hashIds());
                sequence.clear();
                ServedRequest served = session.serve(sequence, prompt);
                manager.awaitOffloads();
                blocks += served.blocks();
                maxHits += unboundedHits(session.sequenceHashes(prompt), (prompt.length - 1) / page, everSeen);
                served.hits().forEach((tier, n) -> {
                    if (hits.containsKey(tier)) {
                        hits.merge(tier, (long) n, Long::sum);
                    }
                });
                checksumFailures += served.checksumFailures();
                ttft.recordValue(served.firstTokenNanos());
                long work = served.onboardNanos() + served.loadNanos() + served.saveNanos();
                kvbmWork.recordValue(work);
                kvbmNanos += work;
                kvbmBlocks += served.reusedBlocks() + served.savedBlocks();

                boolean baseline = options.baselineEvery() > 0 && r % options.baselineEvery() == 0;
                boolean check = served.reusedBlocks() > 0 && verified < options.verify()
                        && shouldVerify(r, trace.size(), options.verify(), verified);
                if (baseline || check) {
                    scratch.clear();
                    long t0 = System.nanoTime();
                    float[] full = scratch.decode(prompt);
                    long nanos = System.nanoTime() - t0;
                    if (baseline) {
                        baselines++;
                        recompute.recordValue(nanos);
                        recomputeTotal += nanos;
                        ttftOfBaselined += served.firstTokenNanos();
                        recomputedBlocks += served.blocks();
                    }
                    if (check) {
                        verified++;
                        if (!sameBits(full, served.logits())) {
                            mismatches++;
                        }
                    }
                }
                if (progress != null) {
                    progress.accept(r + 1);
                }
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        checksumFailures += manager.remoteChecksumFailures() - remoteFailuresBefore;
        ReplayReport report = new ReplayReport(trace.size(), blocks, hits, maxHits,
                Replayer.pathFigures(manager, PathStats::blocks), Replayer.pathFigures(manager, PathStats::bytes),
                Replayer.pathFigures(manager, PathStats::gbps), checksumFailures, manager.offloadSkipCounts(),
                micros(kvbmWork, 50), micros(kvbmWork, 99), wall);
        return new EngineReplayReport(session.model().engine(), report, millis(ttft, 50), millis(ttft, 99), baselines,
                millis(recompute, 50), millis(recompute, 99),
                ttftOfBaselined == 0 ? 0 : recomputeTotal / (double) ttftOfBaselined, verified, mismatches,
                kvbmBlocks == 0 ? 0 : kvbmNanos / 1e3 / kvbmBlocks,
                recomputedBlocks == 0 ? 0 : recomputeTotal / 1e3 / recomputedBlocks);
    }

    /** Spreads the verified requests over the trace while making sure {@code verify} of them are checked. */
    private static boolean shouldVerify(int r, int total, int verify, long done) {
        int stride = Math.max(1, total / Math.max(1, verify));
        return r % stride == 0 || total - r <= verify - done;
    }

    /** Hits an unbounded cache would give under the same rule (at most {@code limit} blocks reused). */
    private static long unboundedHits(long[] hashes, int limit, Set<Long> seen) {
        int hit = 0;
        while (hit < Math.min(limit, hashes.length) && seen.contains(hashes[hit])) {
            hit++;
        }
        for (long h : hashes) {
            seen.add(h);
        }
        return hit;
    }

    static boolean sameBits(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }


    private static double millis(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e6;
    }

    private static double micros(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e3;
    }
}
