package dev.kvbm.cli.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.manager.TierRuntime;
import dev.kvbm.core.replay.ReplayReport;
import dev.kvbm.api.spi.ReferenceCopy;
import java.io.PrintStream;

/** The text report of {@code kvbm replay}: tiers, hits, transfers next to libc memcpy, integrity, manager time. */
final class ReplayTextReport {
    private ReplayTextReport() {
    }

    private static String bytes(double b) {
        if (b >= 1L << 30) {
            return String.format("%.2f GiB", b / (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format("%.1f MiB", b / (1L << 20));
        }
        return String.format("%.0f KiB", b / 1024);
    }

    static void print(ReplayReport r, KvBlockManager m, String source, long blockBytes,
                                  ReferenceCopy reference, PrintStream out) {
        out.printf("replay: %,d requests, %,d blocks of %s, from %s%n", r.requests(), r.blocks(), bytes(blockBytes), source);
        for (TierRuntime t : m.tiers().values()) {
            out.printf("  %s: %,d blocks on %s (%s%s, allocated in %.0f ms)%n", t.tier(), t.pool().totalBlocks(),
                    t.provider(), bytes((double) t.pool().totalBlocks() * blockBytes), where(t), t.allocationNanos() / 1e6);
        }
        out.print("hits:");
        for (Tier t : m.tiers().keySet()) {
            out.printf("  %s %,d (%.1f%%)", t, r.hits().get(t), 100 * r.hitRate(t));
        }
        out.printf("%n  hit rate %.1f%%; an unbounded cache: %.1f%% (this run reached %.1f%% of it)%n", 100 * r.hitRate(),
                100 * r.maxHitRate(), r.maxHitRate() == 0 ? 0 : 100 * r.hitRate() / r.maxHitRate());
        out.println("transfers (sizes in binary KiB/MiB/GiB, rates in decimal GB/s = 10^9 bytes per second):");
        for (String path : r.pathBlocks().keySet()) {
            out.printf("  %-7s %,10d blocks %12s %8.2f GB/s%s%n", path, r.pathBlocks().get(path),
                    bytes(r.pathBytes().get(path)), r.pathGbps().get(path), engine(m, path));
        }
        out.printf("  reference, same run, %s blocks: libc memcpy %.2f GB/s (memcpy engine %.2f GB/s)%n",
                bytes(blockBytes), reference.referenceGBps(), reference.engineGBps());
        if (m.mover().layout(Tier.G1).isEmpty()) {
            out.println("integrity: not checked: the bytes are on the worker processes, this process holds none");
        } else {
            out.printf("integrity: %s, %,d verified, %d checksum failure(s)%n", m.checksums().mode().name().toLowerCase(),
                    m.checksums().verifiedCount(), r.checksumFailures());
        }
        out.printf("offloads skipped: %s%n", skips(r.offloadSkips()));
        for (TierRuntime t : m.tiers().values()) {
            var h = m.health().state(t.tier());
            if (h.degradations() > 0) {
                out.printf("  %s %s: degraded %d time(s), restored %d time(s)%n", t.tier(),
                        h.degraded() ? "is DEGRADED" : "recovered", h.degradations(), h.restorations());
            }
        }
        out.printf("manager time per request (copies excluded): p50 %.1f us, p99 %.1f us%n", r.managerP50Micros(),
                r.managerP99Micros());
        out.printf("wall time: %.1f s (the requests only: allocating the tiers, above, is not included)%n",
                r.wallSeconds());
    }

    /** Where a tier's bytes are when they are files (G3): the directory of its first file. */
    private static String where(TierRuntime t) {
        return t.layout().flatMap(l -> l.storages().stream().filter(st -> st instanceof dev.kvbm.api.spi.FileStorage)
                .map(st -> ", in " + ((dev.kvbm.api.spi.FileStorage) st).path().toAbsolutePath().getParent()).findFirst())
                .orElse("");
    }

    /** {@code  via memcpy}: the engine that moved a path's bytes in this process (nothing for workers or G4). */
    private static String engine(KvBlockManager m, String path) {
        String[] ends = path.split("->");
        if (ends.length != 2) {
            return "";
        }
        try {
            return m.mover().engineName(Tier.valueOf(ends[0]), Tier.valueOf(ends[1])).map(e -> "  via " + e).orElse("");
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** What each skip reason means, in the order of the JSON keys. */
    private static final java.util.Map<String, String> SKIP_WORDS = java.util.Map.of(
            "alreadyPresent", "already in the target tier",
            "targetFull", "target tier full",
            "sourceGone", "source block evicted first",
            "filtered", "held back by the disk admission filter (a block reaches G3 on its second offload)",
            "tierDegraded", "target tier degraded",
            "targetBusy", "target lane busy",
            "failed", "copy failed");

    /** {@code 385 already in the target tier, 360 held back by ...}, zeros left out; {@code none} when all are. */
    static String skips(java.util.Map<String, Long> counts) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        counts.forEach((reason, n) -> {
            if (n != null && n > 0) {
                parts.add(String.format("%,d %s", n, SKIP_WORDS.getOrDefault(reason, reason)));
            }
        });
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

}
