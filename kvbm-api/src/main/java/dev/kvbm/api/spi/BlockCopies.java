package dev.kvbm.api.spi;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.MemoryRegion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * The byte ranges a transfer between two physical layouts moves, for engines to execute with whatever
 * they copy with (memcpy, file I/O, DMA). Every engine validates the same way and plans the same way, from
 * what the layouts report (their pages' runs and block strides), never from their kind: whole blocks when both
 * layouts are block-contiguous, else each page zipped run by run into copies that are contiguous on both
 * sides, with copies adjacent in both the source and the target merged.
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
        int[] targets = new int[pairs.size()];
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
            targets[i] = p.target();
        }
        int twice = secondOccurrence(targets);
        if (twice >= 0) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "target", "pair " + twice + ": target block "
                    + targets[twice] + " appears twice in one transfer");
        }
    }

    /** Pairs up to this many are checked against each other directly; more are sorted first. */
    private static final int DIRECT_DUPLICATE_CHECK = 32;

    /**
     * The index of the first entry equal to an earlier one, or -1: in O(n log n) of the transfer's own size, never
     * of the pool's (a bit set over block ids would allocate and clear up to numBlocks bits per transfer).
     */
    static int secondOccurrence(int[] values) {
        int n = values.length;
        if (n <= DIRECT_DUPLICATE_CHECK) {
            for (int i = 1; i < n; i++) {
                for (int j = 0; j < i; j++) {
                    if (values[i] == values[j]) {
                        return i;
                    }
                }
            }
            return -1;
        }
        int[] sorted = values.clone();
        Arrays.sort(sorted);
        boolean repeats = false;
        for (int i = 1; i < n && !repeats; i++) {
            repeats = sorted[i] == sorted[i - 1];
        }
        if (!repeats) {
            return -1;
        }
        // Rare (a bad transfer): find the first repeat in pair order, as the direct check reports it.
        HashSet<Integer> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            if (!seen.add(values[i])) {
                return i;
            }
        }
        throw new AssertionError("a repeated value that repeats nowhere");
    }

    private static void sameGeometry(String field, long source, long target) {
        if (source != target) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, field, field + " differs: source " + source
                    + ", target " + target + "; layouts of one transfer must share geometry");
        }
    }

    /**
     * Validates and plans a transfer: {@link #prepare} listed as copies, in the plan's order (whole blocks in pair
     * order when both layouts are block-contiguous; else blocks sorted by source index, and per run of consecutive
     * blocks, each page group whose copies touch on both sides as one copy).
     */
    public static List<Copy> plan(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        return prepare(source, target, pairs).copies();
    }

    /**
     * Validates a transfer once and plans it from the layouts' strides: the copies of one block (every page zipped
     * run by run, pages adjacent on both sides merged) are worked out once per pair of physical layouts and kept
     * by the source; a transfer then only lists its pairs. Allocates O(pairs), whatever the number of pages.
     */
    public static Plan prepare(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        validate(source, target, pairs);
        return new Plan(source.copyTemplate(target), pairs);
    }

    /** Receives one contiguous copy of a plan. */
    @FunctionalInterface
    public interface CopySink {
        void copy(int sourceStorage, long sourceOffset, int targetStorage, long targetOffset, long length);
    }

    /**
     * The copies of one block from a source physical layout to a target one: entries of (source region, offset
     * from that region's start, target region, offset, length) for block 0 of both; block {@code b}'s are the same
     * moved {@code b x blockStride} on each side. An entry <em>joins</em> across blocks when its copies of
     * consecutive blocks touch on both sides ({@code length == blockStride} on both).
     */
    static final class Template {
        final PhysicalLayout target;
        final int count;
        final int[] sourceStorage;
        final long[] sourceOffset;
        final int[] targetStorage;
        final long[] targetOffset;
        final long[] length;
        final boolean[] joins;
        final boolean anyJoins;
        final boolean wholeBlocks;
        final long sourceBlockStride;
        final long targetBlockStride;
        final long blockBytes;

        Template(PhysicalLayout source, PhysicalLayout target) {
            this.target = target;
            BlockLayout s = source.layout();
            BlockLayout t = target.layout();
            LayoutConfig g = s.config();
            requireBlockStrideRule(s);
            requireBlockStrideRule(t);
            sourceBlockStride = s.blockStride();
            targetBlockStride = t.blockStride();
            blockBytes = g.blockDataBytes();
            wholeBlocks = s.blockContiguous() && t.blockContiguous();
            List<long[]> rows = new ArrayList<>();
            if (wholeBlocks) {
                rows.add(new long[] {0, source.offset(0, 0, 0), 0, target.offset(0, 0, 0), blockBytes});
            } else {
                for (int l = 0; l < g.numLayers(); l++) {
                    for (int o = 0; o < g.outerDim(); o++) {
                        zip(s.memoryRegion(0, l, o), source, t.memoryRegion(0, l, o), target, rows);
                    }
                }
                // Pages adjacent on both sides merge whatever order (layer, outer) visits them in.
                rows.sort((a, b) -> {
                    int c = Long.compare(a[0], b[0]);
                    if (c == 0) {
                        c = Long.compare(a[2], b[2]);
                    }
                    return c != 0 ? c : Long.compare(a[1], b[1]);
                });
            }
            List<long[]> merged = new ArrayList<>();
            for (long[] r : rows) {
                long[] last = merged.isEmpty() ? null : merged.getLast();
                if (last != null && last[0] == r[0] && last[2] == r[2] && last[1] + last[4] == r[1]
                        && last[3] + last[4] == r[3]) {
                    last[4] += r[4];
                } else {
                    merged.add(r.clone());
                }
            }
            count = merged.size();
            sourceStorage = new int[count];
            sourceOffset = new long[count];
            targetStorage = new int[count];
            targetOffset = new long[count];
            length = new long[count];
            joins = new boolean[count];
            boolean any = false;
            for (int i = 0; i < count; i++) {
                long[] r = merged.get(i);
                sourceStorage[i] = (int) r[0];
                sourceOffset[i] = r[1];
                targetStorage[i] = (int) r[2];
                targetOffset[i] = r[3];
                length[i] = r[4];
                // Whole blocks keep one copy per pair, in pair order, as engines and their tests expect.
                joins[i] = !wholeBlocks && r[4] == sourceBlockStride && r[4] == targetBlockStride;
                any |= joins[i];
            }
            anyJoins = any;
        }

        /**
         * Plans copy block 0 moved by the block stride, so a layout that places its last block otherwise is refused
         * here, before any byte moves (a cheap spot check; {@code LayoutContract} checks every block).
         */
        private static void requireBlockStrideRule(BlockLayout layout) {
            LayoutConfig c = layout.config();
            int last = c.numBlocks() - 1;
            for (int l = 0; l < c.numLayers(); l++) {
                for (int o = 0; o < c.outerDim(); o++) {
                    MemoryRegion moved = layout.memoryRegion(0, l, o).shifted(last * layout.blockStride());
                    if (!moved.equals(layout.memoryRegion(last, l, o))) {
                        throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "layoutType", "layout "
                                + layout.type().shortName() + " places page (" + last + ", " + l + ", " + o
                                + ") elsewhere than block 0's moved by blockStride " + layout.blockStride()
                                + "; engines plan copies from that rule");
                    }
                }
            }
        }

        private static void zip(MemoryRegion s, PhysicalLayout source, MemoryRegion t, PhysicalLayout target,
                                List<long[]> rows) {
            long sBase = source.baseOffset(s.storageIndex());
            long tBase = target.baseOffset(t.storageIndex());
            BlockCopies.zip(s, t, (ss, so, ts, to, n) -> rows.add(new long[] {ss, sBase + so, ts, tBase + to, n}));
        }
    }

    /**
     * Splits the bytes of one source page and one target page of the same size, both in logical order, into copies
     * that are one run on both sides (offsets as the regions give them: from each storage region's aligned start).
     */
    public static void zip(MemoryRegion source, MemoryRegion target, CopySink sink) {
        if (source.size() != target.size()) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "size", "pages differ in size: source "
                    + source.size() + ", target " + target.size());
        }
        if (source.contiguous() && target.contiguous()) {
            sink.copy(source.storageIndex(), source.offset(), target.storageIndex(), target.offset(), source.size());
            return;
        }
        int si = 0;
        int ti = 0;
        long sDone = 0;
        long tDone = 0;
        int sRuns = source.runs();
        int tRuns = target.runs();
        while (si < sRuns && ti < tRuns) {
            long n = Math.min(source.runBytes() - sDone, target.runBytes() - tDone);
            sink.copy(source.storageIndex(), source.runOffset(si) + sDone, target.storageIndex(),
                    target.runOffset(ti) + tDone, n);
            sDone += n;
            tDone += n;
            if (sDone == source.runBytes()) {
                si++;
                sDone = 0;
            }
            if (tDone == target.runBytes()) {
                ti++;
                tDone = 0;
            }
        }
    }

    /**
     * A planned transfer: the pairs, grouped into runs of consecutive blocks ({@code source + i -> target + i}),
     * over the copies of one block. Visit its copies with {@link #forEach(CopySink)}, or a byte range of them
     * (to split a batch across threads) with {@link #forEach(long, long, CopySink)}.
     */
    public static final class Plan {
        private final Template t;
        private final int runs;
        private final int[] runSource;
        private final int[] runTarget;
        private final int[] runBlocks;
        private final long totalBytes;
        private int copies = -1;

        Plan(Template t, List<BlockPair> pairs) {
            this.t = t;
            int n = pairs.size();
            runSource = new int[n];
            runTarget = new int[n];
            runBlocks = new int[n];
            int r = 0;
            if (t.anyJoins && n > 1) {
                // Sort by source block (packed, so no object per pair) and group consecutive blocks.
                long[] sorted = new long[n];
                for (int i = 0; i < n; i++) {
                    BlockPair p = pairs.get(i);
                    sorted[i] = ((long) p.source() << 32) | p.target();
                }
                Arrays.sort(sorted);
                for (long packed : sorted) {
                    int src = (int) (packed >>> 32);
                    int dst = (int) packed;
                    if (r > 0 && runSource[r - 1] + runBlocks[r - 1] == src && runTarget[r - 1] + runBlocks[r - 1] == dst) {
                        runBlocks[r - 1]++;
                    } else {
                        runSource[r] = src;
                        runTarget[r] = dst;
                        runBlocks[r] = 1;
                        r++;
                    }
                }
            } else {
                for (int i = 0; i < n; i++) {
                    BlockPair p = pairs.get(i);
                    runSource[i] = p.source();
                    runTarget[i] = p.target();
                    runBlocks[i] = 1;
                }
                r = n;
            }
            runs = r;
            totalBytes = (long) n * t.blockBytes;
        }

        /** Bytes the transfer moves. */
        public long totalBytes() {
            return totalBytes;
        }

        /** Contiguous copies the transfer issues (counted on first call). */
        public int copyCount() {
            if (copies < 0) {
                int[] n = {0};
                forEach((ss, so, ts, to, len) -> n[0]++);
                copies = n[0];
            }
            return copies;
        }

        /** Whether every copy is a whole block (both layouts block-contiguous). */
        public boolean wholeBlocks() {
            return t.wholeBlocks;
        }

        /** Every copy, in plan order. */
        public void forEach(CopySink sink) {
            forEach(0, totalBytes, sink);
        }

        /** The copies' bytes {@code [from, to)} in plan order, copies cut at the ends. */
        public void forEach(long from, long to, CopySink sink) {
            if (t.wholeBlocks) {
                visit(from, to, sink); // one copy per pair, in pair order
                return;
            }
            Merger merger = new Merger(sink);
            visit(from, to, merger);
            merger.flush();
        }

        private void visit(long from, long to, CopySink sink) {
            long at = 0;
            for (int r = 0; r < runs && at < to; r++) {
                int k = runBlocks[r];
                long runBytes = k * t.blockBytes;
                if (at + runBytes <= from) {
                    at += runBytes;
                    continue;
                }
                long sBlock = runSource[r] * t.sourceBlockStride;
                long tBlock = runTarget[r] * t.targetBlockStride;
                for (int j = 0; j < t.count && at < to; j++) {
                    if (t.joins[j]) {
                        at = emit(sink, j, sBlock, tBlock, t.length[j] * k, at, from, to);
                    } else {
                        for (int i = 0; i < k && at < to; i++) {
                            at = emit(sink, j, sBlock + i * t.sourceBlockStride, tBlock + i * t.targetBlockStride,
                                    t.length[j], at, from, to);
                        }
                    }
                }
            }
        }

        private long emit(CopySink sink, int j, long sBlock, long tBlock, long length, long at, long from, long to) {
            long skip = Math.max(0, from - at);
            long end = Math.min(length, to - at);
            if (end > skip) {
                sink.copy(t.sourceStorage[j], t.sourceOffset[j] + sBlock + skip, t.targetStorage[j],
                        t.targetOffset[j] + tBlock + skip, end - skip);
            }
            return at + length;
        }

        /** The copies as records (tests, engines that reorder them). */
        public List<Copy> copies() {
            List<Copy> out = new ArrayList<>();
            forEach((ss, so, ts, to, len) -> out.add(new Copy(ss, so, ts, to, len)));
            return out;
        }

        @Override
        public String toString() {
            return "Plan[" + copyCount() + " copies, " + totalBytes + " bytes]";
        }
    }

    /** Holds back each copy until the next one shows whether it continues it on both sides. */
    private static final class Merger implements CopySink {
        private final CopySink sink;
        private int sourceStorage = -1;
        private long sourceOffset;
        private int targetStorage;
        private long targetOffset;
        private long length;

        Merger(CopySink sink) {
            this.sink = sink;
        }

        @Override
        public void copy(int ss, long so, int ts, long to, long len) {
            if (sourceStorage == ss && targetStorage == ts && sourceOffset + length == so && targetOffset + length == to) {
                length += len;
                return;
            }
            flush();
            sourceStorage = ss;
            sourceOffset = so;
            targetStorage = ts;
            targetOffset = to;
            length = len;
        }

        void flush() {
            if (sourceStorage >= 0) {
                sink.copy(sourceStorage, sourceOffset, targetStorage, targetOffset, length);
                sourceStorage = -1;
            }
        }
    }
}
