package dev.kvbm.core.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.manager.PreparedRequest;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.core.replay.ReplayReport;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.replay.TraceRequest;
import dev.kvbm.core.replay.WorkloadGenerator;
import dev.kvbm.core.testing.TestProviders;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** G4 in the manager, over a shared in-memory store: sharing, landing tiers, degradation, refused values. */
class RemoteTierTest {
    static final LayoutConfig GEOMETRY = new LayoutConfig(1, 2, 2, 4, 8, 1, 2); // 256-byte blocks
    static final String MODEL = "test-model@1";
    static final RemoteTierConfig CONFIG = RemoteTierConfig.of(URI.create("memory://shared"), MODEL).withWaitWhenFull(true);
    static final BlockNamespace NAMESPACE = BlockNamespace.of("kvbm", MODEL, GEOMETRY, 0);

    final Map<String, byte[]> server = MemoryRemoteStore.newServer();
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicLong now = new AtomicLong();

    KvBlockManager manager(int g1, int g2, TierHealth health) {
        KvBlockManager.Builder b = KvBlockManager.builder().geometry(GEOMETRY)
                .providers(TestProviders.registry(new TestProviders.CopyEngineProvider()))
                .integrity(IntegrityMode.ALWAYS).tierBlocks(Tier.G1, g1).tierBlocks(Tier.G2, g2)
                .remote(new MemoryRemoteStore(server, down, NAMESPACE), CONFIG);
        return (health == null ? b : b.tierHealth(health)).build();
    }

    static List<TraceRequest> trace() {
        return WorkloadGenerator.generate(new WorkloadGenerator.Shape(10, 5, 3, 3, 4), 11, 16);
    }

    @ParameterizedTest(name = "G2 blocks {0}")
    @ValueSource(ints = {0, 64})
    void aSecondManagerServesEveryBlockTheFirstComputedByteExact(int g2) {
        List<TraceRequest> trace = trace();
        long distinct = trace.stream().flatMapToLong(r -> java.util.Arrays.stream(r.hashIds())).distinct().count();
        try (KvBlockManager a = manager(40, g2, null)) {
            ReplayReport first = Replayer.run(a, trace, null);
            // G4 holds every block: what the small local tiers evicted is found there, as an unbounded cache would.
            assertEquals(first.maxHits(), first.totalHits(), "hits of an unbounded cache");
            assertEquals(distinct, a.remote().orElseThrow().storeStats().puts(), "every block reached G4 once");
            assertEquals(distinct, first.offloadSkips().get("g4Written"));
        }
        try (KvBlockManager b = manager(40, g2, null)) {
            long g4Hits = 0;
            for (TraceRequest r : trace) {
                long[] ids = r.hashIds();
                try (PreparedRequest p = b.prepare(ids)) {
                    for (int i = 0; i < ids.length; i++) {
                        assertFalse(p.isFresh(i), "block " + i + " of a request is served, not computed");
                        assertTrue(Replayer.holdsPattern(b.tier(Tier.G1).physical(), p.g1BlockId(i), ids[i]),
                                "block " + ids[i] + " holds the bytes the first manager computed");
                    }
                    g4Hits += p.hits(Tier.G4);
                    b.commit(p);
                }
                b.awaitOffloads();
            }
            // Every block is first served from G4; the small local tiers evict, so some come from G4 again.
            assertTrue(g4Hits >= distinct, g4Hits + " G4 hits for " + distinct + " blocks");
            assertEquals(g4Hits, b.pathStats().get("G4->" + (g2 > 0 ? "G2" : "G1")).blocks());
            b.awaitOffloads();
            assertEquals(0, b.remote().orElseThrow().storeStats().puts(), "no block fetched from G4 is written back");
        }
    }

    @Test
    void aReplayFromAFreshManagerHitsEveryBlock() {
        List<TraceRequest> trace = trace();
        try (KvBlockManager a = manager(40, 0, null)) {
            Replayer.run(a, trace, null);
        }
        try (KvBlockManager b = manager(40, 0, null)) {
            ReplayReport second = Replayer.run(b, trace, null);
            assertEquals(second.blocks(), second.totalHits(), "hits = blocks");
            assertTrue(second.hits().get(Tier.G4) > 0);
            assertEquals(0, second.checksumFailures());
        }
    }

    @Test
    void anUnreachableStoreDegradesG4AndServingGoesOnUntilItIsBack() {
        TierHealth health = new TierHealth(1, Duration.ofSeconds(5), now::get);
        List<TraceRequest> trace = trace();
        down.set(true);
        try (KvBlockManager a = manager(40, 64, health)) {
            ReplayReport report = Replayer.run(a, trace, null);
            assertEquals(0, report.hits().get(Tier.G4));
            assertTrue(health.state(Tier.G4).degraded(), "G4 is degraded");
            assertTrue(report.offloadSkips().get("g4TierDegraded") > 0, report.offloadSkips().toString());
            assertTrue(report.totalHits() > 0, "local tiers still serve");
            down.set(false);
            now.addAndGet(Duration.ofSeconds(6).toNanos()); // the cool-down ran out: the next transfer probes
            try (PreparedRequest p = a.prepare(new long[] {900_001, 900_002})) {
                a.commit(p);
            }
            a.awaitOffloads();
            assertFalse(health.state(Tier.G4).degraded(), "G4 is back");
            assertEquals(1, health.state(Tier.G4).restorations());
            assertTrue(server.containsKey(NAMESPACE.key(900_002)));
        }
    }

    @Test
    void aCorruptValueIsAMissCountedAndRecomputed() {
        long[] ids = {1, 2, 3, 4};
        try (KvBlockManager a = manager(8, 8, null)) {
            try (PreparedRequest p = a.prepare(ids)) {
                for (int i = 0; i < ids.length; i++) {
                    Replayer.fillBlock(a.tier(Tier.G1).physical(), p.g1BlockId(i), ids[i]);
                }
                a.commit(p);
            }
            a.awaitOffloads();
        }
        server.get(NAMESPACE.key(3))[RemoteValueFormat_HEADER + 5] ^= 1;
        try (KvBlockManager b = manager(8, 8, null)) {
            ReplayReport r = Replayer.run(b, List.of(new TraceRequest(0, 0, 0, ids)), null);
            assertEquals(2, r.hits().get(Tier.G4), "the prefix ends at the corrupt block");
            assertEquals(1, r.checksumFailures());
            assertTrue(server.containsKey(NAMESPACE.key(3)), "recomputed and written again");
        }
    }

    static final int RemoteValueFormat_HEADER = dev.kvbm.api.spi.RemoteValueFormat.HEADER_BYTES;

    @Test
    void aFullLaneSkipsAndCountsWithoutDelayingServing() {
        MemoryRemoteStore slow = new MemoryRemoteStore(server, down, NAMESPACE);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        slow.gate = gate; // the server answers no write until the gate opens
        RemoteTierConfig sessionLane = RemoteTierConfig.of(URI.create("memory://slow"), MODEL).withLaneCapacity(2)
                .withTimeout(Duration.ofSeconds(30));
        try (KvBlockManager m = KvBlockManager.builder().geometry(GEOMETRY)
                .providers(TestProviders.registry(new TestProviders.CopyEngineProvider())).tierBlocks(Tier.G1, 200)
                .remote(slow, sessionLane).build()) {
            long start = System.nanoTime();
            for (int r = 0; r < 20; r++) {
                long[] ids = new long[5];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = 10_000L * (r + 1) + i;
                }
                try (PreparedRequest p = m.prepare(ids)) {
                    m.commit(p);
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "serving did not wait for the blocked lane: " + millis + " ms");
            Map<String, Long> counts = m.remote().orElseThrow().offloadCounts();
            assertTrue(counts.get("g4LaneFull") > 0, "a full lane skips and counts: " + counts);
            gate.complete(null);
            m.awaitOffloads();
            counts = m.remote().orElseThrow().offloadCounts();
            assertEquals(100, counts.get("g4Written") + counts.get("g4LaneFull"), "every block written or counted: " + counts);
        }
    }

    @Test
    void anotherModelOrGeometryIsRefusedForAGivenStore() {
        BlockNamespace other = BlockNamespace.of("kvbm", "other-model", GEOMETRY, 0);
        KvbmException e = assertThrows(KvbmException.class, () -> KvBlockManager.builder().geometry(GEOMETRY)
                .providers(TestProviders.registry(new TestProviders.CopyEngineProvider())).tierBlocks(Tier.G1, 8)
                .remote(new MemoryRemoteStore(server, down, other), CONFIG).build());
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    @Test
    void withoutG4TheReportHasNoG4() {
        try (KvBlockManager m = KvBlockManager.builder().geometry(GEOMETRY)
                .providers(TestProviders.registry(new TestProviders.CopyEngineProvider())).tierBlocks(Tier.G1, 40)
                .build()) {
            ReplayReport r = Replayer.run(m, trace(), null);
            assertFalse(r.hits().containsKey(Tier.G4));
            assertFalse(r.offloadSkips().containsKey("g4Written"));
            assertTrue(m.remote().isEmpty());
        }
    }
}
