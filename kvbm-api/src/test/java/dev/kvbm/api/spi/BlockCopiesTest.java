package dev.kvbm.api.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BlockCopiesTest {
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    private PhysicalLayout layout(LayoutConfig c, LayoutType t) {
        BlockLayout l = BlockLayout.of(c, t);
        List<Storage> s = new ArrayList<>();
        for (int i = 0; i < l.numStorageRegions(); i++) {
            MemorySegment seg = arena.allocate(l.requiredAllocationSize(), 64);
            s.add(new HostMemoryStorage() {
                public MemorySegment segment() {
                    return seg;
                }

                public StorageKind kind() {
                    return StorageKind.SYSTEM;
                }

                public long size() {
                    return seg.byteSize();
                }

                public void close() {
                }
            });
        }
        return new PhysicalLayout(l, s);
    }

    /** 4 blocks of 2 layers x 2 outer x 64-byte pages. */
    static final LayoutConfig C = new LayoutConfig(4, 2, 2, 4, 8, 1, 2);

    @Test
    void fullyContiguousOnBothSidesCopiesWholeBlocksInPairOrder() {
        List<BlockCopies.Copy> copies = BlockCopies.plan(layout(C, LayoutType.FULLY_CONTIGUOUS),
                layout(C, LayoutType.FULLY_CONTIGUOUS), List.of(new BlockPair(2, 0), new BlockPair(0, 3)));
        assertEquals(List.of(new BlockCopies.Copy(0, 512, 0, 0, 256), new BlockCopies.Copy(0, 0, 0, 768, 256)), copies);
    }

    @Test
    void pagesAdjacentOnBothSidesAreMergedWhateverThePairOrder() {
        // LS block-contiguous to LS block-contiguous, blocks 1 and 2 to 1 and 2 given in reverse order: per layer,
        // the two blocks' pages are adjacent on both sides, so each layer is one copy of 2 blocks x 2 pages.
        List<BlockCopies.Copy> copies = BlockCopies.plan(layout(C, LayoutType.LAYER_SEPARATE_BLOCK),
                layout(C, LayoutType.LAYER_SEPARATE_BLOCK), List.of(new BlockPair(2, 2), new BlockPair(1, 1)));
        assertEquals(List.of(new BlockCopies.Copy(0, 128, 0, 128, 256), new BlockCopies.Copy(1, 128, 1, 128, 256)), copies);
        // Scattered targets cannot merge: one copy per (block, layer) pair of adjacent outer pages.
        assertEquals(4, BlockCopies.plan(layout(C, LayoutType.LAYER_SEPARATE_BLOCK), layout(C, LayoutType.LAYER_SEPARATE_BLOCK),
                List.of(new BlockPair(1, 3), new BlockPair(2, 0))).size());
    }

    @Test
    void mixedLayoutsCoverEveryPageOnce() {
        List<BlockCopies.Copy> copies = BlockCopies.plan(layout(C, LayoutType.LAYER_SEPARATE_OUTER),
                layout(C, LayoutType.FULLY_CONTIGUOUS), List.of(new BlockPair(0, 1), new BlockPair(3, 2)));
        assertEquals(2L * 2 * 2 * 64, copies.stream().mapToLong(BlockCopies.Copy::length).sum());
    }

    @Test
    void stridedPagesAreCopiedRunByRunFromWhatTheLayoutReports() {
        // HiCache page-first over C (2 layers, 4 tokens of 16 bytes): a page is 4 runs of 16 bytes, 32 apart.
        LayoutType pageFirst = LayoutType.builtIns().get(4);
        assertEquals("hicache-page-first", pageFirst.shortName());
        List<BlockCopies.Copy> copies = BlockCopies.plan(layout(C, pageFirst), layout(C, LayoutType.FULLY_CONTIGUOUS),
                List.of(new BlockPair(1, 2)));
        assertEquals(2 * 2 * 4, copies.size(), "one copy per token run: no two touch on both sides");
        assertEquals(2L * 2 * 64, copies.stream().mapToLong(BlockCopies.Copy::length).sum());
        // page-first (block stride 128, outer stride 512) layer 1 outer 0 token 2 -> fc block 2 layer 1 outer 0 token 2
        assertTrue(copies.contains(new BlockCopies.Copy(0, 128 + 16 + 2 * 32, 0, 2 * 256 + 128 + 2 * 16, 16)),
                copies.toString());
    }

    @Test
    void aByteRangeOfAPlanIsExactlyThoseBytesOfItsCopies() {
        LayoutType pageHead = LayoutType.builtIns().get(6);
        LayoutConfig heads = C.withNumHeads(2);
        BlockCopies.Plan plan = BlockCopies.prepare(layout(heads, pageHead), layout(heads, LayoutType.LAYER_SEPARATE_OUTER),
                List.of(new BlockPair(3, 0), new BlockPair(0, 1), new BlockPair(1, 2)));
        List<long[]> whole = new ArrayList<>();
        plan.forEach((ss, so, ts, to, n) -> {
            for (long i = 0; i < n; i++) {
                whole.add(new long[] {ss, so + i, ts, to + i});
            }
        });
        assertEquals(plan.totalBytes(), whole.size());
        for (long cut : new long[] {1, 7, 8, 100, 255, 256, 257, plan.totalBytes() - 1}) {
            List<long[]> parts = new ArrayList<>();
            BlockCopies.CopySink collect = (ss, so, ts, to, n) -> {
                for (long i = 0; i < n; i++) {
                    parts.add(new long[] {ss, so + i, ts, to + i});
                }
            };
            plan.forEach(0, cut, collect);
            plan.forEach(cut, plan.totalBytes(), collect);
            assertEquals(whole.size(), parts.size(), "cut at " + cut);
            for (int i = 0; i < whole.size(); i++) {
                assertArrayEquals(whole.get(i), parts.get(i), "byte " + i + " with a cut at " + cut);
            }
        }
    }

    @Test
    void validationNamesTheField() {
        PhysicalLayout a = layout(C, LayoutType.FULLY_CONTIGUOUS);
        PhysicalLayout b = layout(C.withNumBlocks(2), LayoutType.FULLY_CONTIGUOUS);
        KvbmException range = assertThrows(KvbmException.class, () -> BlockCopies.validate(a, b, List.of(new BlockPair(3, 2))));
        assertEquals("pair 0: target block 2 out of range 0..1", range.getMessage());
        assertEquals("target", range.field().orElseThrow());
        assertEquals(ErrorCode.INVALID_ARGUMENT, range.code());
        assertEquals("pair 1: target block 0 appears twice in one transfer", assertThrows(KvbmException.class,
                () -> BlockCopies.validate(a, b, List.of(new BlockPair(0, 0), new BlockPair(1, 0)))).getMessage());
        PhysicalLayout other = layout(new LayoutConfig(4, 3, 2, 4, 8, 1, 2), LayoutType.FULLY_CONTIGUOUS);
        assertEquals("numLayers differs: source 2, target 3; layouts of one transfer must share geometry",
                assertThrows(KvbmException.class, () -> BlockCopies.validate(a, other, List.of())).getMessage());
        assertEquals("pairs", assertThrows(KvbmException.class, () -> BlockCopies.validate(a, b, null)).field().orElseThrow());
    }

    @Test
    void duplicateTargetsAreFoundInPairOrderAtAnySize() {
        for (int n : new int[] {2, 31, 32, 33, 200}) {
            int[] distinct = new int[n];
            for (int i = 0; i < n; i++) {
                distinct[i] = 1_000_000 - 7 * i; // far beyond n: the check must not depend on block ids
            }
            assertEquals(-1, BlockCopies.secondOccurrence(distinct), "n=" + n);
            int[] repeated = distinct.clone();
            repeated[n - 1] = distinct[(n - 1) / 2];
            if (n > 2) {
                repeated[n - 2] = distinct[0]; // an earlier repeat (index n-2) wins over the later one
                assertEquals(n - 2, BlockCopies.secondOccurrence(repeated), "n=" + n);
            } else {
                assertEquals(1, BlockCopies.secondOccurrence(repeated), "n=" + n);
            }
        }
        PhysicalLayout a = layout(C, LayoutType.FULLY_CONTIGUOUS);
        List<BlockPair> many = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(new BlockPair(i % C.numBlocks(), i % C.numBlocks()));
        }
        KvbmException dup = assertThrows(KvbmException.class, () -> BlockCopies.validate(a, a, many));
        assertEquals("pair " + C.numBlocks() + ": target block 0 appears twice in one transfer", dup.getMessage());
    }
}
