package dev.kvbm.api.spi;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The byte ranges a transfer between two physical layouts moves, for engines to execute with whatever
 * they copy with (memcpy, file I/O, DMA). Every engine validates the same way and plans the same way:
 * whole blocks when both layouts are block-contiguous, else one range per (block, layer, outer) page,
 * with pages adjacent in both the source and the target merged into one range.
 */
public final class BlockCopies {

    /** {@code length} bytes from {@code sourceOffset} of source region {@code sourceStorage} to the target's. */
    public record Copy(int sourceStorage, long sourceOffset, int targetStorage, long targetOffset, long length) {
    }

    private BlockCopies() {
    }

    /**
     * Checks a transfer before anything is written: no nulls, the same geometry on both sides (layers, outer
     * dimension, page bytes), block indices in range, no target block twice. Fails with
     * {@code INVALID_ARGUMENT} naming the field.
     */
    public static void validate(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        if (source == null || target == null || pairs == null) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, source == null ? "source"
                    : target == null ? "target" : "pairs", "source, target and pairs must not be null");
        }
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
    }

    private static void sameGeometry(String field, long source, long target) {
        if (source != target) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, field, field + " differs: source " + source
                    + ", target " + target + "; layouts of one transfer must share geometry");
        }
    }

    /**
     * Validates and plans a transfer. Whole blocks come in pair order; pages are sorted by (source region,
     * target region, source offset), so pages adjacent on both sides merge whatever order the pairs came in.
     */
    public static List<Copy> plan(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        validate(source, target, pairs);
        LayoutConfig g = source.layout().config();
        List<Copy> copies = new ArrayList<>();
        if (source.layout().blockContiguous() && target.layout().blockContiguous()) {
            for (BlockPair p : pairs) {
                copies.add(new Copy(0, source.blockOffset(p.source()), 0, target.blockOffset(p.target()),
                        g.blockDataBytes()));
            }
            return copies;
        }
        int n = Math.multiplyExact(Math.multiplyExact(pairs.size(), g.numLayers()), g.outerDim());
        long[][] pages = new long[n][];
        int k = 0;
        for (BlockPair p : pairs) {
            for (int l = 0; l < g.numLayers(); l++) {
                for (int o = 0; o < g.outerDim(); o++) {
                    pages[k++] = new long[] {source.layout().memoryRegion(p.source(), l, o).storageIndex(),
                        target.layout().memoryRegion(p.target(), l, o).storageIndex(),
                        source.offset(p.source(), l, o), target.offset(p.target(), l, o)};
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
        long region = g.memoryRegionSize();
        for (long[] page : pages) {
            if (!copies.isEmpty()) {
                Copy last = copies.getLast();
                if (last.sourceStorage() == page[0] && last.targetStorage() == page[1]
                        && last.sourceOffset() + last.length() == page[2] && last.targetOffset() + last.length() == page[3]) {
                    copies.set(copies.size() - 1, new Copy(last.sourceStorage(), last.sourceOffset(), last.targetStorage(),
                            last.targetOffset(), last.length() + region));
                    continue;
                }
            }
            copies.add(new Copy((int) page[0], page[2], (int) page[1], page[3], region));
        }
        return copies;
    }
}
