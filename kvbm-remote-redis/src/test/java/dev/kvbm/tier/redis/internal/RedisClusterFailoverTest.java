package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.core.replay.TraceRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis Cluster on loopback, 3 masters with one replica each: a master killed mid-replay degrades G4
 * during the failover, the replay finishes with correct bytes, and G4 comes back once the replica is
 * promoted; a fresh manager then finds the blocks on the cluster, keys spread over all masters.
 */
class RedisClusterFailoverTest {
    @TempDir
    Path dir;

    @Test
    void aMasterKilledMidReplayDegradesG4UntilItsReplicaTakesOver() throws Exception {
        try (RedisCluster cluster = RedisCluster.start(dir)) {
            List<Integer> ports = cluster.ports;
            List<Integer> masters = RedisCluster.masters(ports.getFirst());
            String uri = cluster.uri();
            List<TraceRequest> trace = CheckedReplay.trace(41);
            int half = trace.size() / 2;
            TierHealth health = new TierHealth(1, Duration.ofMillis(300), System::nanoTime);
            try (KvBlockManager a = CheckedReplay.manager(uri, 40, 64, health)) {
                CheckedReplay.run(a, trace.subList(0, half));
                StringBuilder seen = new StringBuilder(a.remote().orElseThrow().storeStats().toString());
                for (int p : ports) {
                    seen.append(" ").append(p).append("=").append(RedisCluster.cli(p, "dbsize").trim());
                }
                for (int m : masters) {
                    long keys = Long.parseLong(RedisCluster.cli(m, "dbsize").trim());
                    assertTrue(keys > 0, "keys spread over every master (no hash tags): " + m + " holds " + keys + "; " + seen);
                }
                int victim = masters.get(1);
                cluster.node(victim).kill();
                CheckedReplay.run(a, trace.subList(half, trace.size())); // every served block's bytes are checked
                // Keep serving until the failover is over and G4 has been probed back.
                List<Integer> alive = new ArrayList<>(ports);
                alive.remove(Integer.valueOf(victim));
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                long id = 7_000_000;
                while (System.nanoTime() < deadline && !(health.state(Tier.G4).degradations() > 0
                        && health.state(Tier.G4).restorations() > 0 && !health.state(Tier.G4).degraded()
                        && RedisCluster.clusterOk(alive.getFirst()))) {
                    CheckedReplay.run(a, List.of(new TraceRequest(0, 0, 0, new long[] {id++, id++})));
                    Thread.sleep(50);
                }
                TierHealth.State state = health.state(Tier.G4);
                assertTrue(state.degradations() > 0, "the failover degraded G4: " + state);
                assertTrue(state.restorations() > 0 && !state.degraded(), "G4 came back after the failover: " + state
                        + "; cluster as seen by " + alive.getFirst() + ":\n" + RedisCluster.cli(alive.getFirst(), "cluster", "nodes")
                        + RedisCluster.cli(alive.getFirst(), "cluster", "info"));
                assertEquals(3, RedisCluster.masters(alive.getFirst()).size(), "the replica was promoted");
                long before = a.remote().orElseThrow().storeStats().puts();
                CheckedReplay.run(a, List.of(new TraceRequest(0, 0, 0, new long[] {8_000_001, 8_000_002, 8_000_003})));
                assertTrue(a.remote().orElseThrow().storeStats().puts() >= before + 3, "writes go through again");
            }
            try (KvBlockManager b = CheckedReplay.manager(uri, 40, 64, null)) {
                Map<Tier, Long> hits = CheckedReplay.run(b, trace);
                assertTrue(hits.get(Tier.G4) > CheckedReplay.distinctBlocks(trace) / 2,
                        "most blocks survive the failover (replication is asynchronous): " + hits);
                assertEquals(0, b.remote().orElseThrow().storeStats().checksumFailures());
            }
        }
    }
}
