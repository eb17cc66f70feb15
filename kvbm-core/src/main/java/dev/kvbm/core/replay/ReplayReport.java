package dev.kvbm.core.replay;

import dev.kvbm.api.Tier;
import java.util.Map;

/**
 * What a replay measured.
 *
 * @param requests          requests replayed
 * @param blocks            blocks asked for, over all requests
 * @param hits              blocks served from each tier (G1 hits, blocks onboarded from G2/G3)
 * @param maxHits           hits an unbounded cache would have had (same prefix rule)
 * @param pathBlocks        blocks moved per path, e.g. {@code G1->G2}
 * @param pathBytes         bytes moved per path
 * @param pathGbps          GB/s per path over the time it was busy
 * @param checksumFailures  onboarded blocks whose bytes failed their checksum (served as misses)
 * @param offloadSkips      offloads skipped: target already held the block / target full / source gone /
 *                          filtered / tier degraded / target queue busy (serving sessions only) / failed
 * @param managerP50Micros  median time the manager itself spent on a request (copies excluded)
 * @param managerP99Micros  99th percentile of the same
 * @param wallSeconds       wall time of the replay
 */
public record ReplayReport(long requests, long blocks, Map<Tier, Long> hits, long maxHits, Map<String, Long> pathBlocks,
                           Map<String, Long> pathBytes, Map<String, Double> pathGbps, long checksumFailures,
                           Map<String, Long> offloadSkips, double managerP50Micros, double managerP99Micros,
                           double wallSeconds) {

    public long totalHits() {
        return hits.values().stream().mapToLong(Long::longValue).sum();
    }

    public double hitRate() {
        return blocks == 0 ? 0 : totalHits() / (double) blocks;
    }

    public double maxHitRate() {
        return blocks == 0 ? 0 : maxHits / (double) blocks;
    }

    public double hitRate(Tier tier) {
        return blocks == 0 ? 0 : hits.getOrDefault(tier, 0L) / (double) blocks;
    }
}
