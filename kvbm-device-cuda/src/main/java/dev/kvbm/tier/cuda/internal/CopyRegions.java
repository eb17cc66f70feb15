package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.spi.BlockCopies;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import java.util.List;

/**
 * The copies of one transfer as absolute addresses (device pointers, or host addresses under unified
 * addressing): one per block when both layouts are block-contiguous (FullyContiguous), otherwise one per
 * contiguous run of each (block, layer, outer) page (one per page when pages are contiguous) in block, layer,
 * outer order, the order of the kernel's pointer tables (as
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
        // One entry per contiguous run of each page (a contiguous page is one run), zipped from what each
        // layout reports about its pages: the kernel's pointer tables need no layout kind.
        int layers = s.numLayers();
        int outer = s.outerDim();
        Builder b = new Builder(Math.multiplyExact(Math.multiplyExact(pairs.size(), layers), outer));
        long[] sourceBases = bases(source);
        long[] targetBases = bases(target);
        for (BlockPair p : pairs) {
            for (int layer = 0; layer < layers; layer++) {
                for (int o = 0; o < outer; o++) {
                    BlockCopies.zip(source.layout().memoryRegion(p.source(), layer, o),
                            target.layout().memoryRegion(p.target(), layer, o), (ss, so, ts, to, n) ->
                                    b.add(sourceBases[ss] + so, targetBases[ts] + to, n));
                }
            }
        }
        int n = b.count;
        return new CopyRegions(java.util.Arrays.copyOf(b.src, n), java.util.Arrays.copyOf(b.dst, n),
                java.util.Arrays.copyOf(b.len, n), n, false);
    }

    /** Each storage region's address plus its base offset: where the layout's offset 0 lies. */
    private static long[] bases(PhysicalLayout layout) {
        long[] bases = new long[layout.storages().size()];
        for (int i = 0; i < bases.length; i++) {
            bases[i] = layout.storage(i).address() + layout.baseOffset(i);
        }
        return bases;
    }

    /** Growable (src, dst, len) arrays. */
    private static final class Builder {
        long[] src;
        long[] dst;
        long[] len;
        int count;

        Builder(int capacity) {
            src = new long[Math.max(1, capacity)];
            dst = new long[src.length];
            len = new long[src.length];
        }

        void add(long s, long d, long n) {
            if (count == src.length) {
                src = java.util.Arrays.copyOf(src, count * 2);
                dst = java.util.Arrays.copyOf(dst, count * 2);
                len = java.util.Arrays.copyOf(len, count * 2);
            }
            src[count] = s;
            dst[count] = d;
            len[count] = n;
            count++;
        }
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
