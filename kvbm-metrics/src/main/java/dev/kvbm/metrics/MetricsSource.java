package dev.kvbm.metrics;

import dev.kvbm.api.Tier;
import dev.kvbm.core.cluster.Worker;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.manager.TierRuntime;
import dev.kvbm.core.offload.OffloadCounters;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.pool.PoolStatus;
import java.util.Map;
import java.util.Optional;

/** What {@link KvbmMetrics} reads at each scrape: a block manager's figures, or a distributed worker's. */
interface MetricsSource {
    /**
     * What the meters hold: Micrometer keeps only a weak reference to a meter's object, so it is the manager or
     * worker (alive as long as its owner keeps it), and the meter's function reads this source.
     */
    Object owner();

    double requestedBlocks();

    double requestedTokens();

    double hitBlocks(Tier tier);

    double hitTokens(Tier tier);

    double checksumFailures(Tier tier);

    double matchedTokens();

    boolean degraded(Tier tier);

    Optional<PoolStatus> pool(Tier tier);

    Map<String, PathStats> pathStats();

    Map<String, Long> skipCounts();

    static MetricsSource of(KvBlockManager m) {
        return new MetricsSource() {
            public Object owner() {
                return m;
            }

            public double requestedBlocks() {
                return m.counters().requestedBlocks();
            }

            public double requestedTokens() {
                return m.counters().requestedTokens();
            }

            public double hitBlocks(Tier tier) {
                return m.counters().hitBlocks(tier);
            }

            public double hitTokens(Tier tier) {
                return m.counters().hitTokens(tier);
            }

            public double checksumFailures(Tier tier) {
                return m.counters().checksumFailures(tier);
            }

            public double matchedTokens() {
                return m.counters().hitBlocks() * (double) m.counters().pageSize();
            }

            public boolean degraded(Tier tier) {
                return m.tiers().containsKey(tier) && m.health().state(tier).degraded();
            }

            public Optional<PoolStatus> pool(Tier tier) {
                TierRuntime t = m.tiers().get(tier);
                return t == null ? Optional.empty() : Optional.of(t.pool().status());
            }

            public Map<String, PathStats> pathStats() {
                return m.pathStats();
            }

            public Map<String, Long> skipCounts() {
                return m.offloads().skipCounts();
            }
        };
    }

    /** A worker has no pools, requests or offload decisions (the leader's); it has its transfers and health. */
    static MetricsSource of(Worker w) {
        Map<String, Long> noSkips = Map.copyOf(new OffloadCounters() {
            public long skippedAlreadyPresent() {
                return 0;
            }

            public long skippedTargetFull() {
                return 0;
            }

            public long skippedSourceGone() {
                return 0;
            }

            public long failedBlocks() {
                return 0;
            }

            public long skippedFiltered() {
                return 0;
            }

            public long skippedDegraded() {
                return 0;
            }

            public long skippedTargetBusy() {
                return 0;
            }
        }.skipCounts());
        return new MetricsSource() {
            public Object owner() {
                return w;
            }

            public double requestedBlocks() {
                return 0;
            }

            public double requestedTokens() {
                return 0;
            }

            public double hitBlocks(Tier tier) {
                return 0;
            }

            public double hitTokens(Tier tier) {
                return 0;
            }

            public double checksumFailures(Tier tier) {
                return 0;
            }

            public double matchedTokens() {
                return 0;
            }

            public boolean degraded(Tier tier) {
                if (tier == Tier.G4) {
                    return w.hasRemote() && w.health().state(Tier.G4).degraded();
                }
                // G2/G3 the leader asked for but that could not be allocated: the worker serves nothing
                return tier != Tier.G1 && w.allocationError() != null;
            }

            public Optional<PoolStatus> pool(Tier tier) {
                return Optional.empty();
            }

            public Map<String, PathStats> pathStats() {
                return w.pathStats();
            }

            public Map<String, Long> skipCounts() {
                return noSkips;
            }
        };
    }
}
