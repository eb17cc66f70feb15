package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.core.replay.TraceRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: the G4 server stops answering mid-replay without closing its connections (SIGSTOP: a hung host, not a
 * crash). Holds: G4 commands time out, G4 degrades, the replay finishes on the local tiers within a bound, and every
 * block served is checked (CheckedReplay compares each onboarded block with the bytes it was given).
 */
@Tag("fault")
class RedisHungServerTest {
    @TempDir
    Path dir;

    @Test
    void aStoppedServerTimesOutDegradesG4AndTheReplayFinishesWithCheckedBytes() throws Exception {
        RedisServers.assumeInstalled();
        List<TraceRequest> trace = CheckedReplay.trace(33);
        int half = trace.size() / 2;
        TierHealth health = RedisOutageTest.quickHealth();
        try (RedisServers.Server server = new RedisServers.Server(RedisServers.freePort(), dir.resolve("hung"), List.of())) {
            server.start();
            try (KvBlockManager m = CheckedReplay.manager(server.uri(), 40, 64, health)) {
                CheckedReplay.run(m, trace.subList(0, half));
                assertTrue(m.remote().orElseThrow().storeStats().puts() > 0, "G4 was written before the fault");
                signal("STOP", server.pid());
                try {
                    long start = System.nanoTime();
                    Map<Tier, Long> during = CheckedReplay.run(m, trace.subList(half, trace.size()));
                    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                    assertTrue(seconds < 120, "the replay did not wait on the hung server: " + seconds + " s");
                    assertTrue(health.state(Tier.G4).degradations() >= 1, "G4 degraded: " + health.state(Tier.G4));
                    assertEquals(0, during.get(Tier.G4), "nothing comes from a hung G4");
                    assertTrue(m.remote().orElseThrow().storeStats().errors() > 0, "the timeouts were counted");
                } finally {
                    signal("CONT", server.pid()); // let close() and the server's own shutdown run
                }
            }
        }
    }

    private static void signal(String name, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor());
    }
}
