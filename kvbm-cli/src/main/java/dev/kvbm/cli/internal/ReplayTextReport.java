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
            out.printf("  %s: %,d blocks on %s (%s, allocated in %.0f ms)%n", t.tier(), t.pool().totalBlocks(),
                    t.provider(), bytes((double) t.pool().totalBlocks() * blockBytes), t.allocationNanos() / 1e6);
        }
        out.print("hits:");
        for (Tier t : m.tiers().keySet()) {
            out.printf("  %s %,d (%.1f%%)", t, r.hits().get(t), 100 * r.hitRate(t));
        }
        out.printf("%n  hit rate %.1f%%; an unbounded cache: %.1f%% (this run reached %.1f%% of it)%n", 100 * r.hitRate(),
                100 * r.maxHitRate(), r.maxHitRate() == 0 ? 0 : 100 * r.hitRate() / r.maxHitRate());
        out.println("transfers:");
        for (String path : r.pathBlocks().keySet()) {
            out.printf("  %-7s %,10d blocks %12s %8.2f GB/s%n", path, r.pathBlocks().get(path),
                    bytes(r.pathBytes().get(path)), r.pathGbps().get(path));
        }
        out.printf("  reference, same run, %s blocks: libc memcpy %.2f GB/s (memcpy engine %.2f GB/s)%n",
                bytes(blockBytes), reference.referenceGBps(), reference.engineGBps());
        if (m.mover().layout(Tier.G1).isEmpty()) {
            out.println("integrity: not checked: the bytes are on the worker processes, this process holds none");
        } else {
            out.printf("integrity: %s, %,d verified, %d checksum failure(s)%n", m.checksums().mode().name().toLowerCase(),
                    m.checksums().verifiedCount(), r.checksumFailures());
        }
        out.printf("offloads skipped: %s%n", r.offloadSkips());
        for (TierRuntime t : m.tiers().values()) {
            var h = m.health().state(t.tier());
            if (h.degradations() > 0) {
                out.printf("  %s %s: degraded %d time(s), restored %d time(s)%n", t.tier(),
                        h.degraded() ? "is DEGRADED" : "recovered", h.degradations(), h.restorations());
            }
        }
        out.printf("manager time per request (copies excluded): p50 %.1f us, p99 %.1f us%n", r.managerP50Micros(),
                r.managerP99Micros());
        out.printf("wall time: %.1f s%n", r.wallSeconds());
    }

}
