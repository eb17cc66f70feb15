package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.replay.ReplayReport;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.replay.TraceRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Managers sharing one real redis-server: what one computed, another serves, byte-exact. */
class SharedRedisTest {
    @TempDir
    Path dir;

    @Test
    void aSecondManagerServesEveryBlockTheFirstComputed() throws Exception {
        RedisServers.assumeInstalled();
        try (RedisServers.Server server = new RedisServers.Server(RedisServers.freePort(), dir, List.of())) {
            server.start();
            List<TraceRequest> trace = CheckedReplay.trace(21);
            long distinct = CheckedReplay.distinctBlocks(trace);
            try (KvBlockManager a = CheckedReplay.manager(server.uri(), 40, 64, null)) {
                CheckedReplay.run(a, trace);
                assertEquals(distinct, a.remote().orElseThrow().storeStats().puts(), "every block reached G4");
            }
            assertEquals(":" + distinct, server.command("DBSIZE"), "one key per block");
            try (KvBlockManager b = CheckedReplay.manager(server.uri(), 40, 64, null)) {
                long blocks = trace.stream().mapToLong(TraceRequest::blocks).sum();
                Map<Tier, Long> hits = CheckedReplay.run(b, trace);
                assertEquals(blocks, hits.values().stream().mapToLong(Long::longValue).sum(), "hits = blocks");
                assertTrue(hits.get(Tier.G4) >= distinct, "each block came from G4 at least once: " + hits);
                assertEquals(0, b.remote().orElseThrow().storeStats().checksumFailures());
            }
        }
    }

    @Test
    void aReplayWithOnlyG1FindsEveryBlockOfAPreviousOne() throws Exception {
        RedisServers.assumeInstalled();
        try (RedisServers.Server server = new RedisServers.Server(RedisServers.freePort(), dir, List.of())) {
            server.start();
            List<TraceRequest> trace = CheckedReplay.trace(22);
            try (KvBlockManager a = CheckedReplay.manager(server.uri(), 40, 0, null)) {
                Replayer.run(a, trace, null);
            }
            try (KvBlockManager b = CheckedReplay.manager(server.uri(), 40, 0, null)) {
                ReplayReport r = Replayer.run(b, trace, null);
                assertEquals(r.blocks(), r.totalHits(), "hits = blocks");
                assertTrue(r.pathBlocks().get("G4->G1") > 0, r.pathBlocks().toString());
                assertTrue(r.pathGbps().get("G4->G1") > 0);
            }
        }
    }

    @Test
    void blocksEvictedByRedisAreMissesAndTheBytesStayRight() throws Exception {
        RedisServers.assumeInstalled();
        // Room for about 40 of the trace's 64 KiB values: Redis evicts the rest on its own.
        try (RedisServers.Server server = new RedisServers.Server(RedisServers.freePort(), dir,
                List.of("--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru"))) {
            server.start();
            List<TraceRequest> trace = CheckedReplay.trace(23);
            long blocks = trace.stream().mapToLong(TraceRequest::blocks).sum();
            try (KvBlockManager a = CheckedReplay.manager(server.uri(), 40, 0, null)) {
                CheckedReplay.run(a, trace);
            }
            long keys = Long.parseLong(server.command("DBSIZE").substring(1));
            assertTrue(keys < CheckedReplay.distinctBlocks(trace), "Redis evicted: " + keys + " keys left");
            try (KvBlockManager b = CheckedReplay.manager(server.uri(), 40, 0, null)) {
                Map<Tier, Long> hits = CheckedReplay.run(b, trace); // checks every served block's bytes
                long total = hits.values().stream().mapToLong(Long::longValue).sum();
                assertTrue(total < blocks, "evicted blocks are misses: " + total + " of " + blocks);
                assertTrue(hits.get(Tier.G4) > 0, "what Redis kept is served: " + hits);
                assertEquals(0, b.remote().orElseThrow().storeStats().checksumFailures(), "an eviction is no corruption");
                assertEquals(0, b.remote().orElseThrow().storeStats().errors());
            }
        }
    }
}
