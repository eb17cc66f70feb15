package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.tck.DeviceAddressStorage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyRegionsTest {
    // 3 layers, 2 outer, 4 tokens x 8 elements x 2 bytes = 64-byte pages; blocks of 384 bytes.
    static final LayoutConfig CONFIG = new LayoutConfig(6, 3, 2, 4, 8, 1, 2);

    /** Device storage at made-up addresses; each region 1 MiB apart. */
    static PhysicalLayout layout(LayoutType type, long base) {
        BlockLayout l = BlockLayout.of(CONFIG, type);
        List<Storage> s = new ArrayList<>();
        for (int i = 0; i < l.numStorageRegions(); i++) {
            s.add(new DeviceAddressStorage(0, base + i * (1L << 20), l.requiredAllocationSize()));
        }
        return new PhysicalLayout(l, s);
    }

    @Test
    void fullyContiguousBothSidesIsOneCopyPerWholeBlock() {
        PhysicalLayout src = layout(LayoutType.FULLY_CONTIGUOUS, 0x10_0000_0000L);
        PhysicalLayout dst = layout(LayoutType.FULLY_CONTIGUOUS, 0x20_0000_0000L);
        CopyRegions r = CopyRegions.plan(src, dst, List.of(new BlockPair(1, 4), new BlockPair(5, 0)));
        assertTrue(r.wholeBlocks);
        assertEquals(2, r.count);
        assertArrayEquals(new long[] {0x10_0000_0000L + 384, 0x10_0000_0000L + 5 * 384}, r.src);
        assertArrayEquals(new long[] {0x20_0000_0000L + 4 * 384, 0x20_0000_0000L}, r.dst);
        assertArrayEquals(new long[] {384, 384}, r.len);
        assertEquals(768, r.totalBytes());
    }

    @Test
    void otherwiseOneEntryPerPageInBlockLayerOuterOrder() {
        long s0 = 0x10_0000_0000L;
        long d0 = 0x20_0000_0000L;
        PhysicalLayout src = layout(LayoutType.FULLY_CONTIGUOUS, s0);
        PhysicalLayout dst = layout(LayoutType.LAYER_SEPARATE_OUTER, d0);
        CopyRegions r = CopyRegions.plan(src, dst, List.of(new BlockPair(2, 3), new BlockPair(0, 1)));
        assertFalse(r.wholeBlocks);
        assertEquals(2 * 3 * 2, r.count);
        int k = 0;
        for (int[] p : new int[][] {{2, 3}, {0, 1}}) {
            for (int layer = 0; layer < 3; layer++) {
                for (int outer = 0; outer < 2; outer++) {
                    // FC: block stride 384, layer stride 128, outer stride 64 (Dynamo's formula).
                    assertEquals(s0 + p[0] * 384L + layer * 128L + outer * 64L, r.src[k], "src " + k);
                    // LS outer-contiguous: one region per layer, 1 MiB apart; inside, [outer][block] pages.
                    assertEquals(d0 + layer * (1L << 20) + outer * 6 * 64L + p[1] * 64L, r.dst[k], "dst " + k);
                    assertEquals(64, r.len[k]);
                    k++;
                }
            }
        }
        assertEquals(64, r.uniformBytes());
    }

    @Test
    void aStridedHostLayoutIsOneEntryPerRunAtTheAddressesItReports() {
        // HiCache page-first [outer, tokens, layers, inner]: a page is 4 token runs of 8 x 2 = 16 bytes, 3 layers x 16
        // = 48 apart; block stride 4 x 48 = 192, outer stride 6 x 192 = 1152. FC on the other side, as before.
        long s0 = 0x10_0000_0000L;
        long d0 = 0x20_0000_0000L;
        LayoutType pageFirst = LayoutType.builtIns().stream().filter(t -> t.shortName().equals("hicache-page-first"))
                .findFirst().orElseThrow();
        PhysicalLayout src = layout(pageFirst, s0);
        PhysicalLayout dst = layout(LayoutType.FULLY_CONTIGUOUS, d0);
        CopyRegions r = CopyRegions.plan(src, dst, List.of(new BlockPair(2, 3)));
        assertFalse(r.wholeBlocks);
        assertEquals(3 * 2 * 4, r.count);
        int k = 0;
        for (int layer = 0; layer < 3; layer++) {
            for (int outer = 0; outer < 2; outer++) {
                for (int token = 0; token < 4; token++) {
                    assertEquals(s0 + outer * 1152L + 2 * 192L + token * 48L + layer * 16L, r.src[k], "src " + k);
                    assertEquals(d0 + 3 * 384L + layer * 128L + outer * 64L + token * 16L, r.dst[k], "dst " + k);
                    assertEquals(16, r.len[k]);
                    k++;
                }
            }
        }
        assertEquals(16, r.uniformBytes(), "one size for the batched kernel");
        assertEquals(24, r.coalesced().count, "token runs are adjacent on the FC side only: nothing merges");
    }

    @Test
    void coalescingMergesRunsAdjacentOnBothSides() {
        PhysicalLayout src = layout(LayoutType.FULLY_CONTIGUOUS, 0x1000_0000L);
        PhysicalLayout dst = layout(LayoutType.LAYER_SEPARATE_BLOCK, 0x9000_0000L);
        // LS block-contiguous keeps a block's two outer pages of one layer adjacent, and FC does too: 2 pages -> 1 copy.
        CopyRegions r = CopyRegions.plan(src, dst, List.of(new BlockPair(0, 0))).coalesced();
        assertEquals(3, r.count);
        assertArrayEquals(new long[] {128, 128, 128}, r.len);
        assertEquals(384, r.totalBytes());
        assertEquals(128, r.uniformBytes());
    }

    @Test
    void wholeBlocksCoalesceWhenConsecutive() {
        PhysicalLayout src = layout(LayoutType.FULLY_CONTIGUOUS, 0x1000_0000L);
        PhysicalLayout dst = layout(LayoutType.FULLY_CONTIGUOUS, 0x9000_0000L);
        CopyRegions r = CopyRegions.plan(src, dst, List.of(new BlockPair(0, 2), new BlockPair(1, 3), new BlockPair(4, 4)))
                .coalesced();
        assertEquals(2, r.count);
        assertArrayEquals(new long[] {768, 384}, java.util.Arrays.copyOf(r.len, 2));
        assertEquals(-1, r.uniformBytes());
    }

    @Test
    void invalidTransfersNameTheField() {
        PhysicalLayout a = layout(LayoutType.FULLY_CONTIGUOUS, 0x1000_0000L);
        PhysicalLayout b = layout(LayoutType.FULLY_CONTIGUOUS, 0x9000_0000L);
        KvbmException range = assertThrows(KvbmException.class, () -> CopyRegions.plan(a, b, List.of(new BlockPair(6, 0))));
        assertEquals("source", range.field().orElseThrow());
        assertTrue(range.getMessage().contains("out of range 0..5"), range.getMessage());
        KvbmException twice = assertThrows(KvbmException.class,
                () -> CopyRegions.plan(a, b, List.of(new BlockPair(0, 1), new BlockPair(2, 1))));
        assertEquals("target", twice.field().orElseThrow());
        BlockLayout other = BlockLayout.of(new LayoutConfig(6, 2, 2, 4, 8, 1, 2), LayoutType.FULLY_CONTIGUOUS);
        PhysicalLayout c = new PhysicalLayout(other, List.of(new DeviceAddressStorage(0, 1 << 20, other.requiredAllocationSize())));
        KvbmException geometry = assertThrows(KvbmException.class, () -> CopyRegions.plan(a, c, List.of(new BlockPair(0, 0))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, geometry.code());
        assertEquals("numLayers", geometry.field().orElseThrow());
        assertEquals(0, CopyRegions.plan(a, b, List.of()).count);
    }
}
