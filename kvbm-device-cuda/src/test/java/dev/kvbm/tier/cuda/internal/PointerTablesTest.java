package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PointerTablesTest {

    @Test
    void tablesAreSourcesThenTargetsAsNativeU64InPlanOrder() {
        CopyRegions r = CopyRegions.plan(CopyRegionsTest.layout(LayoutType.FULLY_CONTIGUOUS, 0x1000_0000L),
                CopyRegionsTest.layout(LayoutType.LAYER_SEPARATE_OUTER, 0x9000_0000L),
                List.of(new BlockPair(1, 2), new BlockPair(3, 0)));
        ByteBuffer b = PointerTables.pack(r, 2, 10);
        assertTrue(b.isDirect());
        assertEquals(ByteOrder.nativeOrder(), b.order());
        assertEquals(8 * 16, b.remaining());
        long[] src = new long[8];
        long[] dst = new long[8];
        for (int i = 0; i < 8; i++) {
            src[i] = b.getLong(i * 8);
            dst[i] = b.getLong(64 + i * 8);
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(r.src, 2, 10), src);
        assertArrayEquals(java.util.Arrays.copyOfRange(r.dst, 2, 10), dst);
        assertThrows(IllegalArgumentException.class, () -> PointerTables.pack(r, 5, 13));
    }

    @Test
    void batchesCoverEveryCopyOnce() {
        assertArrayEquals(new int[] {0}, PointerTables.batches(0, 4));
        assertArrayEquals(new int[] {0, 3}, PointerTables.batches(3, 4));
        assertArrayEquals(new int[] {0, 4, 8, 9}, PointerTables.batches(9, 4));
        assertArrayEquals(new int[] {0, 4, 8}, PointerTables.batches(8, 4));
        assertThrows(IllegalArgumentException.class, () -> PointerTables.batches(8, 0));
    }

    @Test
    void gridIsOneBlockPerCopyUpTo1024() {
        assertEquals(1, PointerTables.grid(0));
        assertEquals(7, PointerTables.grid(7));
        assertEquals(1024, PointerTables.grid(100_000));
    }
}
