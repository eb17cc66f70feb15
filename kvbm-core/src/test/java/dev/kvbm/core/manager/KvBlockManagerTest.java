package dev.kvbm.core.manager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.core.integrity.BlockBytes;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.pool.ImmutableBlock;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.testing.TestProviders;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class KvBlockManagerTest {
    /** R = 4 * 8 * 2 = 64 bytes; a block is 2 layers x 2 outer x 64 = 256 bytes. */
    static final LayoutConfig GEOMETRY = new LayoutConfig(1, 2, 2, 4, 8, 1, 2);

    final TestProviders.CopyEngineProvider engine = new TestProviders.CopyEngineProvider();

    KvBlockManager.Builder builder() {
        return KvBlockManager.builder().geometry(GEOMETRY).providers(TestProviders.registry(engine))
                .integrity(IntegrityMode.ALWAYS);
    }

    @AfterEach
    void nothingLeaked() {
        assertEquals(0, TestProviders.ArenaTierProvider.OUTSTANDING.get(), "storage left allocated");
    }

    /** Runs one request: prepare, compute fresh blocks with the replay's pattern, commit, release. */
    static PreparedRequest serve(KvBlockManager m, long... ids) {
        PreparedRequest p = m.prepare(ids);
        PhysicalLayout g1 = m.tier(Tier.G1).layout().orElse(null);
        for (int i = 0; g1 != null && i < p.length(); i++) {
            if (p.isFresh(i)) {
                Replayer.fillBlock(g1, p.g1BlockId(i), ids[i]);
            }
        }
        m.commit(p);
        p.close();
        m.awaitOffloads();
        return p;
    }

    static byte[] bytes(PhysicalLayout layout, int block) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (MemorySegment s : BlockBytes.segments(layout, block)) {
            out.writeBytes(s.toArray(ValueLayout.JAVA_BYTE));
        }
        return out.toByteArray();
    }

    /** The bytes block {@code id} must hold, from a scratch layout filled with the same pattern. */
    static byte[] expected(KvBlockManager m, long id) {
        PhysicalLayout g1 = m.tier(Tier.G1).physical();
        // Fill a free G1 block would disturb the pool; compute the pattern into a private layout instead.
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var layout = dev.kvbm.api.layout.BlockLayout.of(GEOMETRY, LayoutType.FULLY_CONTIGUOUS);
            MemorySegment seg = arena.allocate(layout.requiredAllocationSize());
            PhysicalLayout scratch = new PhysicalLayout(layout, List.of(new dev.kvbm.api.spi.HostMemoryStorage() {
                public MemorySegment segment() {
                    return seg;
                }

                public dev.kvbm.api.spi.StorageKind kind() {
                    return dev.kvbm.api.spi.StorageKind.SYSTEM;
                }

                public long size() {
                    return seg.byteSize();
                }

                public void close() {
                }
            }));
            Replayer.fillBlock(scratch, 0, id);
            assertEquals(g1.layout().config().blockDataBytes(), seg.byteSize());
            return seg.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    int blockOf(KvBlockManager m, Tier tier, long hash) {
        List<ImmutableBlock> b = m.tier(tier).pool().matchSequenceHashes(new long[] {hash});
        assertEquals(1, b.size(), tier + " does not hold " + hash);
        int id = b.getFirst().blockId();
        b.getFirst().close();
        return id;
    }

    @Test
    void theCachedPrefixCountsTheHitsOfEveryTier() {
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 4).tierBlocks(Tier.G2, 16).build()) {
            serve(m, 1, 2, 3);
            serve(m, 10, 11, 12, 13); // G1 now holds 10..13 only; 1..3 stay in G2
            PreparedRequest p = serve(m, 10, 11, 1, 2);
            assertEquals(2, p.hits(Tier.G1));
            assertEquals(2, p.hits(Tier.G2));
            assertEquals(0, p.hits(Tier.G3));
            assertEquals(4, p.cachedPrefix());
            assertEquals(0, serve(m, 99).cachedPrefix(), "a block no tier holds is no hit");
        }
    }

    @Test
    void blocksAreOffloadedAndOnboardedByteForByte() {
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 4).tierBlocks(Tier.G2, 16).build()) {
            serve(m, 1, 2, 3);
            for (long h : new long[] {1, 2, 3}) {
                assertArrayEquals(expected(m, h), bytes(m.tier(Tier.G2).physical(), blockOf(m, Tier.G2, h)),
                        "G2 copy of " + h);
            }
            serve(m, 10, 11, 12, 13); // fills G1, evicting 1..3 there
            assertFalse(m.tier(Tier.G1).pool().contains(1));
            PreparedRequest again = serve(m, 1, 2, 3, 4);
            assertEquals(3, again.hits(Tier.G2));
            assertEquals(0, again.hits(Tier.G1));
            for (long h : new long[] {1, 2, 3, 4}) {
                assertArrayEquals(expected(m, h), bytes(m.tier(Tier.G1).physical(), blockOf(m, Tier.G1, h)),
                        "G1 copy of " + h);
            }
            assertEquals(8, m.pathStats().get("G1->G2").blocks(), "1,2,3,10..13 and 4; onboarded ones skipped");
            assertEquals(3, m.pathStats().get("G2->G1").blocks());
            assertEquals(3 * 256, m.pathStats().get("G2->G1").bytes());
            assertEquals(3, m.offloads().skippedAlreadyPresent());
            assertTrue(m.checksums().verifiedCount() >= 3);
        }
    }

    @Test
    void differentLayoutsPerTierKeepTheBytes() {
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 2).tierBlocks(Tier.G2, 8)
                .layoutType(Tier.G1, LayoutType.LAYER_SEPARATE_BLOCK).layoutType(Tier.G2, LayoutType.LAYER_SEPARATE_OUTER)
                .build()) {
            serve(m, 7, 8);
            serve(m, 20, 21);
            PreparedRequest p = serve(m, 7, 8);
            assertEquals(2, p.hits(Tier.G2));
            assertEquals(0, p.checksumFailures());
            assertArrayEquals(bytes(m.tier(Tier.G1).physical(), blockOf(m, Tier.G1, 8)), expectedLs(m, 8));
        }
    }

    @Test
    void aG2InHiCachesPageFirstLayoutKeepsTheBytes() {
        // Strided G2 pages (per token, all layers together): offload, checksum, onboard all go through their runs.
        LayoutType pageFirst = dev.kvbm.core.providers.ProviderRegistry.loadLayouts().layoutType("hicache-page-first");
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 2).tierBlocks(Tier.G2, 8).layoutType(Tier.G2, pageFirst)
                .build()) {
            assertEquals("hicache-page-first", m.tier(Tier.G2).physical().layout().type().shortName());
            serve(m, 7, 8);
            serve(m, 20, 21);
            PreparedRequest p = serve(m, 7, 8);
            assertEquals(2, p.hits(Tier.G2));
            assertEquals(0, p.checksumFailures());
            assertArrayEquals(expected(m, 8), bytes(m.tier(Tier.G1).physical(), blockOf(m, Tier.G1, 8)));
        }
    }

    /** The pattern as an LS-block G1 holds it: the replay fills page by page, so read it back the same way. */
    private byte[] expectedLs(KvBlockManager m, long id) {
        try (KvBlockManager scratch = builder().tierBlocks(Tier.G1, 1).layoutType(Tier.G1, LayoutType.LAYER_SEPARATE_BLOCK)
                .build()) {
            Replayer.fillBlock(scratch.tier(Tier.G1).physical(), 0, id);
            return bytes(scratch.tier(Tier.G1).physical(), 0);
        }
    }

    @Test
    void aCorruptedBlockIsCaughtAndNeverServed() {
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 3).tierBlocks(Tier.G2, 8).build()) {
            serve(m, 1, 2, 3);
            int victim = blockOf(m, Tier.G2, 2);
            MemorySegment page = BlockBytes.segments(m.tier(Tier.G2).physical(), victim).getFirst();
            page.set(ValueLayout.JAVA_BYTE, 17, (byte) (page.get(ValueLayout.JAVA_BYTE, 17) ^ 0x40));
            serve(m, 30, 31, 32);
            PreparedRequest p = serve(m, 1, 2, 3);
            assertEquals(1, p.hits(Tier.G2), "only the block before the corrupt one is served");
            assertEquals(1, p.checksumFailures());
            assertEquals(1, m.checksums().failureCount());
            assertArrayEquals(expected(m, 2), bytes(m.tier(Tier.G2).physical(), blockOf(m, Tier.G2, 2)),
                    "the corrupt copy was dropped from G2 and replaced by the recomputed block's offload");
            assertArrayEquals(expected(m, 2), bytes(m.tier(Tier.G1).physical(), blockOf(m, Tier.G1, 2)),
                    "block 2 was recomputed");
        }
    }

    @Tag("fault")
    @Test
    void aFailedOffloadNeverRegistersItsTarget() {
        engine.failWhen = pairs -> true;
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 4).tierBlocks(Tier.G2, 8).build()) {
            serve(m, 1, 2);
            assertFalse(m.tier(Tier.G2).pool().contains(1));
            assertFalse(m.tier(Tier.G2).pool().contains(2));
            assertEquals(2, m.offloads().failedBlocks());
            assertEquals(8, m.tier(Tier.G2).pool().status().free(), "targets went back reset");
            assertArrayEquals(expected(m, 1), bytes(m.tier(Tier.G1).physical(), blockOf(m, Tier.G1, 1)),
                    "the source is untouched");
            m.tier(Tier.G2).pool().checkInvariants();
        }
    }

    @Tag("fault")
    @Test
    void aFailedOnboardIsServedAsAMiss() {
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 2).tierBlocks(Tier.G2, 8).build()) {
            serve(m, 1, 2);
            serve(m, 5, 6);
            engine.failWhen = pairs -> true;
            PreparedRequest p = serve(m, 1, 2);
            assertEquals(0, p.hits(Tier.G2));
            assertEquals(1, m.pathStats().get("G2->G1").failures());
            assertTrue(p.isFresh(0) || m.tier(Tier.G1).pool().contains(1));
        }
    }

    @Test
    void writeThroughCascadesToG3AndSkipsG2WhenAbsent() {
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 2).tierBlocks(Tier.G2, 4).tierBlocks(Tier.G3, 8)
                .diskOffloadFilter(false).build()) {
            serve(m, 1, 2);
            assertTrue(m.tier(Tier.G3).pool().contains(1) && m.tier(Tier.G3).pool().contains(2));
            assertArrayEquals(expected(m, 2), bytes(m.tier(Tier.G3).physical(), blockOf(m, Tier.G3, 2)));
            assertEquals(2, m.pathStats().get("G2->G3").blocks());
        }
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 2).tierBlocks(Tier.G3, 8).build()) {
            serve(m, 1, 2);
            serve(m, 3, 4);
            assertEquals(2, m.pathStats().get("G1->G3").blocks() - 2);
            PreparedRequest p = serve(m, 1, 2);
            assertEquals(2, p.hits(Tier.G3));
            assertArrayEquals(expected(m, 1), bytes(m.tier(Tier.G1).physical(), blockOf(m, Tier.G1, 1)));
        }
    }

    @Test
    void aFullTargetSkipsTheOffloadAndCountsIt() {
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 4).tierBlocks(Tier.G2, 1).build()) {
            serve(m, 1);
            List<ImmutableBlock> held = m.tier(Tier.G2).pool().matchSequenceHashes(new long[] {1});
            serve(m, 2);
            assertEquals(1, m.offloads().skippedTargetFull());
            assertFalse(m.tier(Tier.G2).pool().contains(2));
            held.forEach(ImmutableBlock::close);
        }
    }

    @Test
    void g1TooSmallForARequestFailsHoldingNothing() {
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 2).build()) {
            KvbmException e = assertThrows(KvbmException.class, () -> m.prepare(new long[] {1, 2, 3}));
            assertEquals(ErrorCode.NOT_ENOUGH_BLOCKS, e.code());
            assertEquals(2, m.tier(Tier.G1).pool().status().free());
        }
    }

    @Test
    void missingProviderIsAClearError() {
        KvbmException e = assertThrows(KvbmException.class, () -> KvBlockManager.builder().geometry(GEOMETRY)
                .providers(dev.kvbm.core.providers.ProviderRegistry.of(List.of(), List.of(), List.of(), java.util.Set.of()))
                .tierBlocks(Tier.G1, 2).build());
        assertEquals(ErrorCode.PROVIDER_NOT_FOUND, e.code());
        assertTrue(e.getMessage().startsWith("no available provider serves G1"), e.getMessage());
    }

    @Test
    void tokenRequestsHashLikeDynamo() {
        try (KvBlockManager m = builder().tierBlocks(Tier.G1, 4).build()) {
            PreparedRequest p = m.prepare(new int[] {1, 2, 3, 4, 5}, 4, 1337);
            assertEquals(1, p.length(), "one complete block; the partial tail is not cached");
            assertEquals("14643705804678351452", Long.toUnsignedString(p.sequenceHash(0)));
            p.close();
        }
    }

    /** A leader-side mover: no bytes here, every move is recorded and succeeds (or fails when told). */
    static final class RecordingMover implements dev.kvbm.core.transfer.BlockMover {
        final List<String> moves = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean fail;

        @Override
        public java.util.concurrent.CompletableFuture<Void> move(Tier source, Tier target,
                                                                  List<dev.kvbm.api.spi.BlockPair> pairs) {
            moves.add(source + "->" + target + " " + pairs.size());
            return fail ? java.util.concurrent.CompletableFuture.failedFuture(
                    new KvbmException(ErrorCode.TRANSFER_FAILED, "worker 1 failed"))
                    : java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public java.util.Optional<PhysicalLayout> layout(Tier tier) {
            return java.util.Optional.empty();
        }

        @Override
        public void checkPath(Tier source, Tier target) {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void logicalTiersKeepTheSameBookkeepingWithoutBytes() {
        RecordingMover mover = new RecordingMover();
        try (KvBlockManager m = KvBlockManager.builder().geometry(GEOMETRY).logical(mover)
                .tierBlocks(Tier.G1, 2).tierBlocks(Tier.G2, 8).build()) {
            assertTrue(m.tier(Tier.G1).layout().isEmpty());
            assertEquals("logical", m.tier(Tier.G1).provider());
            serve(m, 1, 2);
            serve(m, 3, 4);
            PreparedRequest p = serve(m, 1, 2);
            assertEquals(2, p.hits(Tier.G2));
            // Blocks per path: how a lane batches two registrations depends on when it polls, so only sums are fixed.
            java.util.Map<String, Integer> blocks = new java.util.TreeMap<>();
            for (String move : mover.moves) {
                String[] parts = move.split(" ");
                blocks.merge(parts[0], Integer.parseInt(parts[1]), Integer::sum);
            }
            assertEquals(java.util.Map.of("G1->G2", 4, "G2->G1", 2), blocks);
            assertEquals("G2->G1 2", mover.moves.getLast(), "the onboarding is one move of both blocks");
            mover.fail = true;
            serve(m, 5, 6);
            assertFalse(m.tier(Tier.G2).pool().contains(5), "a failed worker copy never registers its target");
            assertEquals(2, m.offloads().failedBlocks());
        }
    }
}
