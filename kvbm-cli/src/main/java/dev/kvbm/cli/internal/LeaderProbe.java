package dev.kvbm.cli.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.core.cluster.ClusterReady;
import dev.kvbm.core.cluster.Leader;
import dev.kvbm.core.offload.PathStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/** {@code kvbm leader --probe N}: latency of {@code transfer_blocks} round trips next to pings (the transport alone). */
final class LeaderProbe {
    static final int BLOCKS = 16;

    /** Percentiles in microseconds. */
    record Result(double transferP50Micros, double transferP99Micros, double pingP50Micros, double pingP99Micros,
                  long transfers) {
    }

    private LeaderProbe() {
    }

    /**
     * {@code n} round trips of 16-block G1->G2 transfers and {@code n} pings, interleaved (transfer, ping, transfer,
     * ...) after a warm-up of 10% of each, so a machine that drifts (JIT, other load) moves both figures alike; every
     * transfer is counted in {@code stats} when given (the leader's metrics).
     */
    static Result run(Leader leader, ClusterReady r, int n, PathStats stats) {
        if (Math.min(r.numDeviceBlocks(), r.numHostBlocks()) < BLOCKS) {
            throw new UsageException("--probe needs at least " + BLOCKS + " G1 and G2 blocks (G1 " + r.numDeviceBlocks()
                    + ", G2 " + r.numHostBlocks() + ")");
        }
        List<BlockPair> pairs = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            pairs.add(new BlockPair(i, i));
        }
        int warmUp = Math.max(1, n / 10);
        for (int i = 0; i < warmUp; i++) {
            move(leader, pairs, r, stats);
            ping(leader);
        }
        // Three significant digits: 0.1% resolution, far finer than the spread of round trips.
        Histogram transfers = new Histogram(3);
        Histogram pings = new Histogram(3);
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            move(leader, pairs, r, stats);
            long t1 = System.nanoTime();
            ping(leader);
            transfers.recordValue(t1 - t0);
            pings.recordValue(System.nanoTime() - t1);
        }
        return new Result(micros(transfers, 50), micros(transfers, 99), micros(pings, 50), micros(pings, 99),
                warmUp + (long) n);
    }

    private static void move(Leader leader, List<BlockPair> pairs, ClusterReady r, PathStats stats) {
        long start = stats == null ? 0 : stats.begin();
        boolean ok = false;
        try {
            leader.move(Tier.G1, Tier.G2, pairs).join();
            ok = true;
        } finally {
            if (stats != null) {
                stats.end(start, pairs.size(), pairs.size() * r.bytesPerBlock(), ok);
            }
        }
    }

    private static void ping(Leader leader) {
        leader.call("ping", List.of(), Duration.ofSeconds(10)).join();
    }

    private static double micros(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }
}
