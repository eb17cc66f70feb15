package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.MemoryRegion;
import dev.kvbm.api.spi.BlockCopies;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import java.util.List;

/**
 * The copies of one transfer as absolute addresses (device pointers, or host addresses under unified
 * addressing): one per block when both layouts are block-contiguous (FullyContiguous), otherwise one per
 * (block, layer, outer) page in block, layer, outer order, the order of the kernel's pointer tables (as
 * Dynamo's). Pure address arithmetic over {@link PhysicalLayout}: no memory is touched.
 */
final class CopyRegions {
    final long[] src;
    final long[] dst;
    final long[] len;
    final int count;
    final boolean wholeBlocks;

    private CopyRegions(long[] src, long[] dst, long[] len, int count, boolean wholeBlocks) {
        this.src = src;
        this.dst = dst;
        this.len = len;
        this.count = count;
        this.wholeBlocks = wholeBlocks;
    }

    /** Validates the transfer (geometry, indices, no target twice) and lists its copies. */
    static CopyRegions plan(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        BlockCopies.validate(source, target, pairs); // the same checks and messages as every other engine
        LayoutConfig s = source.layout().config();
        if (source.layout().blockContiguous() && target.layout().blockContiguous()) {
            int n = pairs.size();
            long[] so = new long[n];
            long[] d = new long[n];
            long[] l = new long[n];
            long sBase = source.storage(0).address();
            long dBase = target.storage(0).address();
            for (int i = 0; i < n; i++) {
                so[i] = sBase + source.blockOffset(pairs.get(i).source());
                d[i] = dBase + target.blockOffset(pairs.get(i).target());
                l[i] = s.blockDataBytes();
            }
            return new CopyRegions(so, d, l, n, true);
        }
        int layers = s.numLayers();
        int outer = s.outerDim();
        int n = Math.multiplyExact(Math.multiplyExact(pairs.size(), layers), outer);
        long[] so = new long[n];
        long[] d = new long[n];
        long[] l = new long[n];
        int k = 0;
        for (BlockPair p : pairs) {
            for (int layer = 0; layer < layers; layer++) {
                for (int o = 0; o < outer; o++) {
                    so[k] = address(source, p.source(), layer, o);
                    d[k] = address(target, p.target(), layer, o);
                    l[k] = s.memoryRegionSize();
                    k++;
                }
            }
        }
        return new CopyRegions(so, d, l, n, false);
    }

    private static long address(PhysicalLayout layout, int block, int layer, int outer) {
        MemoryRegion r = layout.layout().memoryRegion(block, layer, outer);
        return layout.storage(r.storageIndex()).address() + layout.offset(block, layer, outer);
    }

    /** The same copies with runs adjacent on both sides (in order) merged: fewer, larger async copies. */
    CopyRegions coalesced() {
        long[] so = new long[count];
        long[] d = new long[count];
        long[] l = new long[count];
        int c = 0;
        for (int i = 0; i < count; i++) {
            if (c > 0 && so[c - 1] + l[c - 1] == src[i] && d[c - 1] + l[c - 1] == dst[i]) {
                l[c - 1] += len[i];
            } else {
                so[c] = src[i];
                d[c] = dst[i];
                l[c] = len[i];
                c++;
            }
        }
        return new CopyRegions(java.util.Arrays.copyOf(so, c), java.util.Arrays.copyOf(d, c), java.util.Arrays.copyOf(l, c), c,
                wholeBlocks);
    }

    long totalBytes() {
        long total = 0;
        for (int i = 0; i < count; i++) {
            total += len[i];
        }
        return total;
    }

    /** The size every copy shares, or -1 when they differ (after coalescing). */
    long uniformBytes() {
        if (count == 0) {
            return 0;
        }
        for (int i = 1; i < count; i++) {
            if (len[i] != len[0]) {
                return -1;
            }
        }
        return len[0];
    }

    @Override
    public String toString() {
        return "CopyRegions[" + count + (wholeBlocks ? " whole blocks, " : " regions, ") + totalBytes() + " bytes]";
    }
}
