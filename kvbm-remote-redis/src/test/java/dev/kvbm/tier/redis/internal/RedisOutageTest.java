package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.core.replay.TraceRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server that dies, comes back, or fills up degrades G4, never the manager, never the bytes. */
@Tag("fault")
class RedisOutageTest {
    @TempDir
    Path dir;

    static TierHealth quickHealth() {
        return new TierHealth(1, Duration.ofMillis(300), System::nanoTime);
    }

    @Test
    void aKilledServerDegradesG4AndARestartedOneIsUsedAgain() throws Exception {
        RedisServers.assumeInstalled();
        int port = RedisServers.freePort();
        List<TraceRequest> trace = CheckedReplay.trace(31);
        int half = trace.size() / 2;
        TierHealth health = quickHealth();
        RedisServers.Server server = new RedisServers.Server(port, dir.resolve("a"), List.of());
        server.start();
        try (KvBlockManager m = CheckedReplay.manager(server.uri(), 40, 64, health)) {
            CheckedReplay.run(m, trace.subList(0, half));
            long written = m.remote().orElseThrow().storeStats().puts();
            assertTrue(written > 0);
            server.kill();
            // The rest of the trace is served by the local tiers; every served block is still checked.
            Map<Tier, Long> during = CheckedReplay.run(m, trace.subList(half, trace.size()));
            assertTrue(health.state(Tier.G4).degradations() >= 1, "G4 is degraded while the server is down");
            assertEquals(0, during.get(Tier.G4), "nothing comes from a dead G4");
            assertTrue(m.remote().orElseThrow().storeStats().errors() > 0);

            // Same port, empty server (no persistence): G4 comes back after the cool-down and reconnect.
            try (RedisServers.Server again = new RedisServers.Server(port, dir.resolve("b"), List.of())) {
                again.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                long restoredAt = -1;
                for (long id = 5_000_000; System.nanoTime() < deadline; id++) {
                    Thread.sleep(100);
                    CheckedReplay.run(m, List.of(new TraceRequest(0, 0, 0, new long[] {id})));
                    if (health.state(Tier.G4).restorations() > 0 && !health.state(Tier.G4).degraded()
                            && ":1".equals(again.command("EXISTS " + m.remote().orElseThrow().store().namespace().key(id)))) {
                        restoredAt = id;
                        break;
                    }
                }
                assertTrue(restoredAt > 0, "G4 was restored and written again: " + health.state(Tier.G4));
                assertFalse(health.state(Tier.G4).degraded());
            }
        } finally {
            server.close();
        }
    }

    @Test
    void aFullServerDegradesG4WithoutFailingTheReplay() throws Exception {
        RedisServers.assumeInstalled();
        // noeviction: once 2 MB are used every SET fails with OOM.
        try (RedisServers.Server server = new RedisServers.Server(RedisServers.freePort(), dir.resolve("full"),
                List.of("--maxmemory", "2mb", "--maxmemory-policy", "noeviction"))) {
            server.start();
            TierHealth health = quickHealth();
            List<TraceRequest> trace = CheckedReplay.trace(32);
            try (KvBlockManager m = CheckedReplay.manager(server.uri(), 40, 64, health)) {
                Map<Tier, Long> hits = CheckedReplay.run(m, trace);
                assertTrue(hits.values().stream().mapToLong(Long::longValue).sum() > 0, "local tiers serve");
                Map<String, Long> counts = m.remote().orElseThrow().offloadCounts();
                assertTrue(counts.get("g4Failed") > 0, "writes were refused: " + counts);
                assertTrue(health.state(Tier.G4).degradations() >= 1, "a full server degrades G4");
                assertTrue(counts.get("g4Written") > 0, "until it was full, blocks were written: " + counts);
            }
        }
    }
}
