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
import java.util.List;

/**
 * The copies one transfer issues, as {@link BlockCopies} plans them from the layouts' runs and strides (whole
 * blocks when both layouts are block-contiguous, else runs contiguous on both sides, merged where adjacent),
 * between host memory regions only.
 */
final class CopyPlan {
    /** libc is bound (native access granted): copies use its memcpy. */
    private static final boolean LIBC = LibC.isAvailable();
    private final BlockCopies.Plan plan;

    private CopyPlan(BlockCopies.Plan plan) {
        this.plan = plan;
    }

    int copies() {
        return plan.copyCount();
    }

    long totalBytes() {
        return plan.totalBytes();
    }

    /** Each copy's length, in plan order (tests). */
    long[] lengths() {
        long[] out = new long[plan.copyCount()];
        int[] i = {0};
        plan.forEach((ss, so, ts, to, len) -> out[i[0]++] = len);
        return out;
    }

    /** Validates the transfer once and plans its copies; throws {@code INVALID_ARGUMENT} naming the field. */
    static CopyPlan of(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        BlockCopies.Plan plan = BlockCopies.prepare(source, target, pairs);
        requireHost("source", source);
        requireHost("target", target);
        return new CopyPlan(plan);
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

    /** Visits every copy in plan order. */
    void forEach(BlockCopies.CopySink sink) {
        plan.forEach(sink);
    }

    /**
     * Copies bytes {@code [from, to)} of the plan (in plan order): with libc {@code memcpy} when libc is bound
     * and both segments are native (it is faster than {@code MemorySegment.copy} for block-sized copies), else,
     * or where a source and target range overlap, with {@code MemorySegment.copy}.
     */
    void execute(MemorySegment[] sources, MemorySegment[] targets, long from, long to) {
        plan.forEach(from, to, (ss, so, ts, to2, length) -> copy(sources[ss], so, targets[ts], to2, length));
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
        return "CopyPlan[" + copies() + " copies, " + totalBytes() + " bytes]";
    }
}
