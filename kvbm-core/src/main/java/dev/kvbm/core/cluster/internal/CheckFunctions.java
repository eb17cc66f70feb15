package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockProbe;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.core.integrity.BlockBytes;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * kvbm's check functions on a worker, for tests and {@code kvbm replay --workers}: {@code kvbm_fill} writes a
 * pattern derived from the seed and block id into host-addressable blocks, {@code kvbm_checksums} answers one
 * CRC32C per block.
 */
public final class CheckFunctions {
    private final WorkerTiers tiers;

    public CheckFunctions(WorkerTiers tiers) {
        this.tiers = tiers;
    }

    public void fill(BlockProbe probe) {
        tiers.read(v -> {
            PhysicalLayout layout = layout(v, probe);
            for (int b : probe.blocks()) {
                long word = (probe.seed() * 0x9E3779B97F4A7C15L) ^ (b * 0xC2B2AE3D27D4EB4FL);
                for (MemorySegment page : BlockBytes.segments(layout, b)) {
                    for (long off = 0; off + 8 <= page.byteSize(); off += 8) {
                        page.set(ValueLayout.JAVA_LONG_UNALIGNED, off, word + off);
                    }
                }
            }
            return null;
        });
    }

    public List<Long> checksums(BlockProbe probe) {
        return tiers.read(v -> {
            PhysicalLayout layout = layout(v, probe);
            List<Long> sums = new ArrayList<>();
            for (int b : probe.blocks()) {
                CRC32C crc = new CRC32C();
                for (MemorySegment page : BlockBytes.segments(layout, b)) {
                    crc.update(page.asByteBuffer());
                }
                sums.add(crc.getValue());
            }
            return sums;
        });
    }

    private static PhysicalLayout layout(WorkerTiers.View v, BlockProbe probe) {
        HeldTier a = v.get(probe.tier());
        if (a == null || !BlockBytes.hostAddressable(a.layout())) {
            throw new KvbmException(ErrorCode.INVALID_ARGUMENT, probe.tier() + " is not allocated or not host-addressable here");
        }
        for (int b : probe.blocks()) {
            a.layout().layout().checkIndices(b, 0, 0);
        }
        return a.layout();
    }
}
