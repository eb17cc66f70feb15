package dev.kvbm.tier.host.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The copies one transfer issues: {@code (source region, source offset, target region, target offset,
 * length)} tuples. Block-contiguous to block-contiguous is one copy of a whole block per pair; anything
 * else is one copy per (block, layer, outer) page, with pages that are adjacent on both sides (same
 * region, each starting where the previous ended) merged into one larger copy.
 */
final class CopyPlan {
    final int[] srcIndex;
    final long[] srcOffset;
    final int[] dstIndex;
    final long[] dstOffset;
    final long[] length;
    /** {@code start[i]} = bytes of copies 0..i-1; {@code start[count]} = total bytes. */
    final long[] start;
    final int count;

    private CopyPlan(int[] srcIndex, long[] srcOffset, int[] dstIndex, long[] dstOffset, long[] length, int count) {
        this.srcIndex = srcIndex;
        this.srcOffset = srcOffset;
        this.dstIndex = dstIndex;
        this.dstOffset = dstOffset;
        this.length = length;
        this.count = count;
        this.start = new long[count + 1];
        for (int i = 0; i < count; i++) {
            start[i + 1] = start[i] + length[i];
        }
    }

    int copies() {
        return count;
    }

    long totalBytes() {
        return start[count];
    }

    /** Validates the transfer and plans its copies; throws {@code INVALID_ARGUMENT} naming the field. */
    static CopyPlan of(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        if (source == null || target == null || pairs == null) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, source == null ? "source"
                    : target == null ? "target" : "pairs", "source, target and pairs must not be null");
        }
        requireHost("source", source);
        requireHost("target", target);
        LayoutConfig s = source.layout().config();
        LayoutConfig t = target.layout().config();
        sameGeometry("numLayers", s.numLayers(), t.numLayers());
        sameGeometry("outerDim", s.outerDim(), t.outerDim());
        sameGeometry("memoryRegionSize", s.memoryRegionSize(), t.memoryRegionSize());
        BitSet targets = new BitSet();
        for (int i = 0; i < pairs.size(); i++) {
            BlockPair p = pairs.get(i);
            if (p == null) {
                throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "pairs", "pair " + i + " is null");
            }
            if (p.source() >= s.numBlocks()) {
                throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "source", "pair " + i + ": source block "
                        + p.source() + " out of range 0.." + (s.numBlocks() - 1));
            }
            if (p.target() >= t.numBlocks()) {
                throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "target", "pair " + i + ": target block "
                        + p.target() + " out of range 0.." + (t.numBlocks() - 1));
            }
            if (targets.get(p.target())) {
                throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "target", "pair " + i + ": target block "
                        + p.target() + " appears twice in one transfer");
            }
            targets.set(p.target());
        }
        if (source.layout().blockContiguous() && target.layout().blockContiguous()) {
            return wholeBlocks(source, target, pairs, s.blockDataBytes());
        }
        return pages(source, target, pairs, s);
    }

    private static void requireHost(String side, PhysicalLayout layout) {
        for (int i = 0; i < layout.storages().size(); i++) {
            Storage st = layout.storage(i);
            if (!(st instanceof HostMemoryStorage)) {
                throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, side, side + " storage region " + i + " is "
                        + st.kind() + " (" + st.getClass().getSimpleName()
                        + "), not host memory; the memcpy engine copies between SYSTEM and PINNED host memory only");
            }
        }
    }

    private static void sameGeometry(String field, long source, long target) {
        if (source != target) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, field, field + " differs: source " + source
                    + ", target " + target + "; layouts of one transfer must share geometry");
        }
    }

    private static CopyPlan wholeBlocks(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs,
                                       long blockBytes) {
        int n = pairs.size();
        int[] si = new int[n];
        int[] di = new int[n];
        long[] so = new long[n];
        long[] dOff = new long[n];
        long[] len = new long[n];
        for (int i = 0; i < n; i++) {
            BlockPair p = pairs.get(i);
            so[i] = source.blockOffset(p.source());
            dOff[i] = target.blockOffset(p.target());
            len[i] = blockBytes;
        }
        return new CopyPlan(si, so, di, dOff, len, n);
    }

    private static CopyPlan pages(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs,
                                  LayoutConfig geometry) {
        int layers = geometry.numLayers();
        int outer = geometry.outerDim();
        long region = geometry.memoryRegionSize();
        int n = Math.multiplyExact(Math.multiplyExact(pairs.size(), layers), outer);
        // Pages as (src region, dst region, src offset, dst offset), sorted so that pages adjacent on both sides
        // end up next to each other whatever order the pairs came in.
        long[][] pages = new long[n][];
        int k = 0;
        for (BlockPair p : pairs) {
            for (int l = 0; l < layers; l++) {
                for (int o = 0; o < outer; o++) {
                    int sIdx = source.layout().memoryRegion(p.source(), l, o).storageIndex();
                    int dIdx = target.layout().memoryRegion(p.target(), l, o).storageIndex();
                    pages[k++] = new long[] {sIdx, dIdx, source.offset(p.source(), l, o), target.offset(p.target(), l, o)};
                }
            }
        }
        Arrays.sort(pages, (a, b) -> {
            int c = Long.compare(a[0], b[0]);
            if (c == 0) {
                c = Long.compare(a[1], b[1]);
            }
            return c != 0 ? c : Long.compare(a[2], b[2]);
        });
        int[] si = new int[n];
        int[] di = new int[n];
        long[] so = new long[n];
        long[] dOff = new long[n];
        long[] len = new long[n];
        int count = 0;
        for (long[] page : pages) {
            int last = count - 1;
            if (count > 0 && si[last] == page[0] && di[last] == page[1] && so[last] + len[last] == page[2]
                    && dOff[last] + len[last] == page[3]) {
                len[last] += region;
            } else {
                si[count] = (int) page[0];
                di[count] = (int) page[1];
                so[count] = page[2];
                dOff[count] = page[3];
                len[count] = region;
                count++;
            }
        }
        return new CopyPlan(si, so, di, dOff, len, count);
    }

    /** Copies bytes {@code [from, to)} of the plan (in plan order) with {@code MemorySegment.copy}. */
    void execute(MemorySegment[] sources, MemorySegment[] targets, long from, long to) {
        if (from >= to) {
            return;
        }
        int i = Arrays.binarySearch(start, 0, count + 1, from);
        if (i < 0) {
            i = -i - 2; // the copy that contains byte 'from'
        }
        while (i < count && start[i] < to) {
            long skip = Math.max(0, from - start[i]);
            long end = Math.min(length[i], to - start[i]);
            if (end > skip) {
                MemorySegment.copy(sources[srcIndex[i]], srcOffset[i] + skip, targets[dstIndex[i]], dstOffset[i] + skip,
                        end - skip);
            }
            i++;
        }
    }

    @Override
    public String toString() {
        return "CopyPlan[" + count + " copies, " + totalBytes() + " bytes]";
    }
}
