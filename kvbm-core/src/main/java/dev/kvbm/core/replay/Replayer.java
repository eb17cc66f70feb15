package dev.kvbm.core.replay;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.core.integrity.BlockBytes;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.manager.PreparedRequest;
import dev.kvbm.core.offload.PathStats;
import org.HdrHistogram.Histogram;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Replays a trace through a {@link KvBlockManager} with real copies. For each request, in order: match
 * the prefix across G1, G2, G3; onboard G2/G3 hits into G1; allocate G1 blocks for the rest and fill
 * them with bytes derived from the hash id (the "compute"); register them (offloaded down the tiers);
 * release. Offloads are drained after every request so hit counts are reproducible and comparable
 * with cache simulations: a request's hits are the longest prefix of its ids found in some tier, and
 * recency follows the request's id order (hits first, then new blocks).
 */
public final class Replayer {

    private Replayer() {
    }

    /** The longest request in blocks; a G1 smaller than this cannot serve the trace. */
    public static int longestRequest(List<TraceRequest> trace) {
        return trace.stream().mapToInt(TraceRequest::blocks).max().orElse(0);
    }

    /** Fails naming both numbers when {@code g1Blocks} cannot hold the longest request. */
    public static void checkG1(List<TraceRequest> trace, int g1Blocks) {
        int longest = longestRequest(trace);
        if (g1Blocks < longest) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "g1Blocks", "G1 has " + g1Blocks
                    + " blocks but the longest request needs " + longest + "; give G1 at least " + longest + " blocks");
        }
    }

    /** Hits an unbounded cache would have: per request, the prefix of ids seen in any earlier request. */
    public static long unboundedHits(List<TraceRequest> trace) {
        Set<Long> seen = new HashSet<>();
        long hits = 0;
        for (TraceRequest r : trace) {
            int k = 0;
            while (k < r.blocks() && seen.contains(r.hashId(k))) {
                k++;
            }
            hits += k;
            for (int i = 0; i < r.blocks(); i++) {
                seen.add(r.hashId(i));
            }
        }
        return hits;
    }

    /**
     * Runs the trace. {@code progress} is told the number of requests done after each one (for a
     * progress bar); it may be null.
     */
    public static ReplayReport run(KvBlockManager manager, List<TraceRequest> trace, IntConsumer progress) {
        checkG1(trace, manager.tier(Tier.G1).pool().totalBlocks());
        PhysicalLayout g1 = manager.tier(Tier.G1).layout().orElse(null);
        boolean fill = g1 != null && BlockBytes.hostAddressable(g1);
        Map<Tier, Long> hits = new EnumMap<>(Tier.class);
        Set<Tier> serving = java.util.EnumSet.copyOf(manager.tiers().keySet());
        manager.remote().ifPresent(g4 -> serving.add(Tier.G4));
        for (Tier t : serving) {
            hits.put(t, 0L);
        }
        long remoteFailuresBefore = manager.remoteChecksumFailures();
        // Three significant digits (0.1%): far finer than the run-to-run spread of these times.
        Histogram managerNanos = new Histogram(3);
        long blocks = 0;
        long checksumFailures = 0;
        long start = System.nanoTime();
        for (int r = 0; r < trace.size(); r++) {
            long[] ids = trace.get(r).hashIds();
            blocks += ids.length;
            long t0 = System.nanoTime();
            long computeNanos = 0;
            PreparedRequest p = manager.prepare(ids);
            try (p) {
                long c0 = System.nanoTime();
                if (fill) {
                    for (int i = 0; i < p.length(); i++) {
                        if (p.isFresh(i)) {
                            fillBlock(g1, p.g1BlockId(i), ids[i]);
                        }
                    }
                }
                computeNanos = System.nanoTime() - c0;
                manager.commit(p);
            }
            long managerEnd = System.nanoTime();
            // The replay's own bookkeeping comes after the request's manager time, not inside it.
            managerNanos.recordValue(Math.max(0, managerEnd - t0 - computeNanos - p.copyNanos()));
            for (Tier t : serving) {
                hits.merge(t, (long) p.hits(t), Long::sum);
            }
            checksumFailures += p.checksumFailures();
            manager.awaitOffloads();
            if (progress != null) {
                progress.accept(r + 1);
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        Map<String, Long> pathBlocks = pathFigures(manager, PathStats::blocks);
        Map<String, Long> pathBytes = pathFigures(manager, PathStats::bytes);
        Map<String, Double> pathGbps = pathFigures(manager, PathStats::gbps);
        Map<String, Long> skips = manager.offloadSkipCounts();
        // G4 values refused by their header or checksum are misses like local checksum failures.
        checksumFailures += manager.remoteChecksumFailures() - remoteFailuresBefore;
        return new ReplayReport(trace.size(), blocks, hits, unboundedHits(trace), pathBlocks, pathBytes, pathGbps,
                checksumFailures, skips, managerNanos.getValueAtPercentile(50) / 1e3, managerNanos.getValueAtPercentile(99) / 1e3,
                wall);
    }


    /** One figure of every transfer path of {@code manager}, by path name, in the order the paths were made. */
    public static <T extends Number> Map<String, T> pathFigures(KvBlockManager manager,
                                                                java.util.function.Function<PathStats, T> figure) {
        Map<String, T> out = new LinkedHashMap<>();
        for (PathStats s : manager.pathStats().values()) {
            out.put(s.path(), figure.apply(s));
        }
        return out;
    }

    /**
     * Writes the block's "computed" KV: a pattern derived from the hash id, so a block served from any
     * tier can be checked against what it must hold.
     */
    public static void fillBlock(PhysicalLayout layout, int blockId, long hashId) {
        long word = patternWord(hashId);
        for (MemorySegment page : BlockBytes.segments(layout, blockId)) {
            fillPage(page, word);
        }
    }

    /** Whether the block holds exactly what {@link #fillBlock} writes for {@code hashId} (wherever it was served from). */
    public static boolean holdsPattern(PhysicalLayout layout, int blockId, long hashId) {
        long word = patternWord(hashId);
        try (java.lang.foreign.Arena scratch = java.lang.foreign.Arena.ofConfined()) {
            for (MemorySegment page : BlockBytes.segments(layout, blockId)) {
                MemorySegment expected = scratch.allocate(page.byteSize(), 8);
                fillPage(expected, word);
                if (expected.mismatch(page) != -1) {
                    return false;
                }
            }
        }
        return true;
    }

    private static long patternWord(long hashId) {
        return hashId * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    }

    private static void fillPage(MemorySegment page, long word) {
        long size = page.byteSize();
        long head = Math.min(size & ~7L, 64);
        for (long off = 0; off < head; off += 8) {
            page.set(ValueLayout.JAVA_LONG_UNALIGNED, off, word + off);
        }
        // Double the pattern with bulk copies: no per-byte loop over the block.
        long filled = head;
        while (filled < (size & ~7L)) {
            long n = Math.min(filled, (size & ~7L) - filled);
            MemorySegment.copy(page, 0, page, filled, n);
            filled += n;
        }
        for (long off = size & ~7L; off < size; off++) {
            page.set(ValueLayout.JAVA_BYTE, off, (byte) word);
        }
    }
}
