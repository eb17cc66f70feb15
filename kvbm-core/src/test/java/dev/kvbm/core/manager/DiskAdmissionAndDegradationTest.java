package dev.kvbm.core.manager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.offload.FrequencyFilter;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.core.testing.TestProviders;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The G2 -> G3 frequency filter and tier degradation, through a whole manager with a fault-injecting engine. */
class DiskAdmissionAndDegradationTest {
    final TestProviders.CopyEngineProvider engine = new TestProviders.CopyEngineProvider();
    final AtomicLong now = new AtomicLong();

    KvBlockManager.Builder builder() {
        return KvBlockManager.builder().geometry(KvBlockManagerTest.GEOMETRY).providers(TestProviders.registry(engine))
                .integrity(IntegrityMode.ALWAYS).tierHealth(new TierHealth(3, Duration.ofSeconds(30), now::get));
    }

    @AfterEach
    void nothingLeaked() {
        assertEquals(0, TestProviders.ArenaTierProvider.OUTSTANDING.get(), "storage left allocated");
    }

    @Test
    void g2BlocksReachDiskOnTheirSecondOffload() {
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 2).tierBlocks(Tier.G2, 2).tierBlocks(Tier.G3, 8)
                .diskOffloadFilter(() -> new FrequencyFilter(2, Duration.ofSeconds(600), 1_000_000, now::get)).build()) {
            KvBlockManagerTest.serve(m, 1, 2);
            assertFalse(m.tier(Tier.G3).pool().contains(1), "seen once: kept off the disk");
            assertEquals(2, m.offloads().skippedFiltered());
            KvBlockManagerTest.serve(m, 3, 4); // evicts 1, 2 from G1 and G2
            PreparedRequest p = KvBlockManagerTest.serve(m, 1, 2); // recomputed, offloaded to G2 a second time
            assertEquals(0, p.hits(Tier.G3));
            assertTrue(m.tier(Tier.G3).pool().contains(1) && m.tier(Tier.G3).pool().contains(2));
            assertEquals(2, m.pathStats().get("G2->G3").blocks());
            assertEquals(4, m.offloads().skippedFiltered(), "3 and 4 seen once");
        }
    }

    @Tag("fault")
    @Test
    void repeatedFailuresDegradeTheTierUntilItIsProbedAgain() {
        AtomicBoolean diskBroken = new AtomicBoolean(true);
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 4).tierBlocks(Tier.G2, 16).tierBlocks(Tier.G3, 16)
                .diskOffloadFilter(false).batchSize(1).build()) {
            // The fault-injecting engine fails every transfer into or out of G3's storage.
            var g3 = m.tier(Tier.G3).physical();
            engine.failWhen = pairs -> false;
            TestProviders.CopyEngineProvider.failLayout = g3;
            TestProviders.CopyEngineProvider.failing = diskBroken;
            KvBlockManagerTest.serve(m, 1, 2, 3);
            assertEquals(3, m.offloads().failedBlocks(), "three failed G2->G3 offloads");
            assertTrue(m.health().state(Tier.G3).degraded());
            KvBlockManagerTest.serve(m, 4);
            assertEquals(1, m.offloads().skippedDegraded(), "offloads to a degraded tier are skipped and counted");
            assertEquals(0, m.tier(Tier.G3).pool().totalBlocks() - m.tier(Tier.G3).pool().status().free(),
                    "no failed target was registered");
            for (long h = 1; h <= 4; h++) {
                assertTrue(m.tier(Tier.G2).pool().contains(h), "G2 carries on");
                assertArrayEquals(KvBlockManagerTest.expected(m, h), KvBlockManagerTest.bytes(m.tier(Tier.G2).physical(),
                        blockOf(m, Tier.G2, h)), "G2 bytes of " + h + " intact");
            }
            diskBroken.set(false);
            now.set(Duration.ofSeconds(30).toNanos()); // cool-down over: the next offload probes G3
            KvBlockManagerTest.serve(m, 5);
            assertFalse(m.health().state(Tier.G3).degraded(), "a successful probe restores it");
            assertEquals(1, m.health().state(Tier.G3).restorations());
            assertTrue(m.tier(Tier.G3).pool().contains(5));
        } finally {
            TestProviders.CopyEngineProvider.failLayout = null;
            TestProviders.CopyEngineProvider.failing = null;
        }
    }

    @Test
    void aDegradedLowerTierIsPassedByWhenMatching() {
        AtomicBoolean diskBroken = new AtomicBoolean(false);
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 2).tierBlocks(Tier.G3, 16).build()) {
            TestProviders.CopyEngineProvider.failLayout = m.tier(Tier.G3).physical();
            TestProviders.CopyEngineProvider.failing = diskBroken;
            KvBlockManagerTest.serve(m, 1, 2);
            KvBlockManagerTest.serve(m, 3, 4);
            diskBroken.set(true);
            for (int i = 0; i < 3; i++) {
                PreparedRequest p = KvBlockManagerTest.serve(m, 1, 2);
                assertEquals(0, p.hits(Tier.G3), "a failed onboard is a miss");
                KvBlockManagerTest.serve(m, 3, 4);
            }
            assertTrue(m.health().state(Tier.G3).degraded());
            long failures = m.pathStats().get("G3->G1").failures();
            PreparedRequest p = KvBlockManagerTest.serve(m, 1, 2);
            assertEquals(0, p.hits(Tier.G3));
            assertEquals(failures, m.pathStats().get("G3->G1").failures(), "not even tried while degraded");
            assertArrayEquals(KvBlockManagerTest.expected(m, 1), KvBlockManagerTest.bytes(m.tier(Tier.G1).physical(),
                    blockOf(m, Tier.G1, 1)), "recomputed bytes, never wrong ones");
        } finally {
            TestProviders.CopyEngineProvider.failLayout = null;
            TestProviders.CopyEngineProvider.failing = null;
        }
    }

    static int blockOf(KvBlockManager m, Tier tier, long hash) {
        var b = m.tier(tier).pool().matchSequenceHashes(new long[] {hash});
        assertEquals(1, b.size(), tier + " does not hold " + hash);
        int id = b.getFirst().blockId();
        b.getFirst().close();
        return id;
    }
}
