package dev.kvbm.core.internal.integrity;

import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.integrity.ChecksumCounters;
import dev.kvbm.core.integrity.BlockBytes;
import dev.kvbm.api.spi.PhysicalLayout;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;

/**
 * A CRC32C per sequence hash, taken when a block's bytes are first stored in a host-addressable tier
 * and checked when the block is onboarded. A block whose bytes no longer match is never served.
 */
public final class BlockChecksums implements ChecksumCounters {
    /** In {@link IntegrityMode#SAMPLED} mode, one block in this many is checked. */
    public static final int SAMPLE_EVERY = 8;

    private final IntegrityMode mode;
    private final Map<Long, Integer> sums = new ConcurrentHashMap<>();
    private final LongAdder verified = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder unverifiable = new LongAdder();

    public BlockChecksums(IntegrityMode mode) {
        this.mode = mode;
    }

    @Override
    public IntegrityMode mode() {
        return mode;
    }

    /** CRC32C of the block's bytes in (layer, outer) order. */
    public static int checksum(PhysicalLayout layout, int block) {
        CRC32C crc = new CRC32C();
        for (MemorySegment page : BlockBytes.segments(layout, block)) {
            crc.update(page.asByteBuffer());
        }
        return (int) crc.getValue();
    }

    /**
     * Records the checksum of a freshly stored block, unless it will never be verified (mode off, or not
     * in the sample) or is known already.
     */
    public void record(long sequenceHash, PhysicalLayout layout, int block) {
        if (shouldVerify(sequenceHash) && BlockBytes.hostAddressable(layout)) {
            sums.computeIfAbsent(sequenceHash, h -> checksum(layout, block));
        }
    }

    public boolean shouldVerify(long sequenceHash) {
        return switch (mode) {
            case OFF -> false;
            case ALWAYS -> true;
            case SAMPLED -> Long.remainderUnsigned(mix(sequenceHash), SAMPLE_EVERY) == 0;
        };
    }

    /**
     * Checks an onboarded block. Returns false (and counts a failure) only on a mismatch; a block
     * without a recorded checksum or not host-addressable counts as unverifiable and passes.
     */
    public boolean verify(long sequenceHash, PhysicalLayout layout, int block) {
        if (!shouldVerify(sequenceHash)) {
            return true;
        }
        Integer expected = sums.get(sequenceHash);
        if (expected == null || !BlockBytes.hostAddressable(layout)) {
            unverifiable.increment();
            return true;
        }
        verified.increment();
        if (expected != checksum(layout, block)) {
            failures.increment();
            return false;
        }
        return true;
    }

    public OptionalInt recorded(long sequenceHash) {
        Integer v = sums.get(sequenceHash);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /** Forgets a hash that left every tier. */
    public void forget(long sequenceHash) {
        sums.remove(sequenceHash);
    }

    @Override
    public long verifiedCount() {
        return verified.sum();
    }

    @Override
    public long failureCount() {
        return failures.sum();
    }

    @Override
    public long unverifiableCount() {
        return unverifiable.sum();
    }

    /** Stafford's mix13: spreads hash bits so sampling does not follow any structure in the hashes. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
