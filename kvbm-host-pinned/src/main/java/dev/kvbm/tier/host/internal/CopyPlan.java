package dev.kvbm.tier.host.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockCopies;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.nativeio.libc.LibC;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * The copies one transfer issues: {@code (source region, source offset, target region, target offset,
 * length)} tuples. Block-contiguous to block-contiguous is one copy of a whole block per pair; anything
 * else is one copy per (block, layer, outer) page, with pages that are adjacent on both sides (same
 * region, each starting where the previous ended) merged into one larger copy.
 */
final class CopyPlan {
    /** libc is bound (native access granted): copies use its memcpy. */
    private static final boolean LIBC = LibC.isAvailable();
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
        BlockCopies.validate(source, target, pairs);
        requireHost("source", source);
        requireHost("target", target);
        List<BlockCopies.Copy> copies = BlockCopies.plan(source, target, pairs);
        int n = copies.size();
        int[] si = new int[n];
        int[] di = new int[n];
        long[] so = new long[n];
        long[] dOff = new long[n];
        long[] len = new long[n];
        for (int i = 0; i < n; i++) {
            BlockCopies.Copy c = copies.get(i);
            si[i] = c.sourceStorage();
            so[i] = c.sourceOffset();
            di[i] = c.targetStorage();
            dOff[i] = c.targetOffset();
            len[i] = c.length();
        }
        return new CopyPlan(si, so, di, dOff, len, n);
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

    /**
     * Copies bytes {@code [from, to)} of the plan (in plan order): with libc {@code memcpy} when libc is bound
     * and both segments are native (it is faster than {@code MemorySegment.copy} for block-sized copies), else,
     * or where a source and target range overlap, with {@code MemorySegment.copy}.
     */
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
                copy(sources[srcIndex[i]], srcOffset[i] + skip, targets[dstIndex[i]], dstOffset[i] + skip, end - skip);
            }
            i++;
        }
    }

    private static void copy(MemorySegment source, long sourceOffset, MemorySegment target, long targetOffset,
                             long bytes) {
        // A closed segment goes to MemorySegment.copy, which reports it as the IllegalStateException it is.
        if (LIBC && source.isNative() && target.isNative() && source.scope().isAlive() && target.scope().isAlive()) {
            // Slices check bounds and liveness; the downcall keeps both segments' memory alive while it runs.
            MemorySegment from = source.asSlice(sourceOffset, bytes);
            MemorySegment to = target.asSlice(targetOffset, bytes);
            if (!overlap(from, to)) {
                if (to.isReadOnly()) {
                    throw new IllegalArgumentException("target segment is read-only");
                }
                LibC.memcpy(to, from, bytes);
                return;
            }
        }
        MemorySegment.copy(source, sourceOffset, target, targetOffset, bytes);
    }

    private static boolean overlap(MemorySegment a, MemorySegment b) {
        long a0 = a.address();
        long b0 = b.address();
        return a0 < b0 + b.byteSize() && b0 < a0 + a.byteSize();
    }

    @Override
    public String toString() {
        return "CopyPlan[" + count + " copies, " + totalBytes() + " bytes]";
    }
}
