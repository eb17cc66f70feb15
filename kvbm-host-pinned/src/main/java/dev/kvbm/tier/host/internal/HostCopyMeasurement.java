package dev.kvbm.tier.host.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tier.host.HostCopyProbe;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** The implementation of {@link HostCopyProbe}. */
public final class HostCopyMeasurement {
    private HostCopyMeasurement() {
    }

    public static HostCopyProbe.Result measure(long blockBytes, int blocks, int iterations, LayoutType sourceType,
                                               LayoutType targetType) {
        if (blockBytes < 1 || blocks < 1 || iterations < 1) {
            throw new KvbmException(ErrorCode.INVALID_ARGUMENT, "blockBytes, blocks and iterations must be >= 1 (got "
                    + blockBytes + ", " + blocks + ", " + iterations + ")");
        }
        LayoutConfig config = geometry(blockBytes, blocks);
        try (SystemHostAllocator allocator = new SystemHostAllocator(Long.MAX_VALUE);
             MemcpyTransferEngine engine = (MemcpyTransferEngine) new MemcpyEngineProvider().create(java.util.Map.of())) {
            PhysicalLayout source = layout(allocator, config, sourceType);
            PhysicalLayout target = layout(allocator, config, targetType);
            for (Storage s : source.storages()) {
                MemorySegment seg = ((HostMemoryStorage) s).segment();
                for (long i = 0; i < seg.byteSize(); i += 4096) {
                    seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i >>> 12));
                }
            }
            List<BlockPair> pairs = new ArrayList<>(blocks);
            for (int b = 0; b < blocks; b++) {
                pairs.add(new BlockPair(b, b));
            }
            CopyPlan plan = CopyPlan.of(source, target, pairs);
            long batchBytes = plan.totalBytes();

            engine.transfer(source, target, pairs).join(); // warm-up
            long t0 = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                engine.transfer(source, target, pairs).join();
            }
            double engineGBps = batchBytes * (double) iterations / (System.nanoTime() - t0);

            double memcpyGBps = Double.NaN;
            if (LibC.isAvailable()) {
                MemorySegment[] src = segments(source);
                MemorySegment[] dst = segments(target);
                libcBatch(plan, src, dst); // warm-up
                long t1 = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    libcBatch(plan, src, dst);
                }
                memcpyGBps = batchBytes * (double) iterations / (System.nanoTime() - t1);
            }
            return new HostCopyProbe.Result(blockBytes, blocks, iterations, sourceType, targetType, plan.copies(),
                    engineGBps, memcpyGBps);
        }
    }

    private static void libcBatch(CopyPlan plan, MemorySegment[] src, MemorySegment[] dst) {
        plan.forEach((ss, so, ts, to, length) ->
                LibC.memcpy(dst[ts].asSlice(to, length), src[ss].asSlice(so, length), length));
    }

    private static MemorySegment[] segments(PhysicalLayout layout) {
        MemorySegment[] s = new MemorySegment[layout.storages().size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = ((HostMemoryStorage) layout.storage(i)).segment();
        }
        return s;
    }

    static LayoutConfig geometry(long blockBytes, int blocks) {
        if (blockBytes % 256 == 0 && blockBytes / 256 <= Integer.MAX_VALUE) {
            return new LayoutConfig(blocks, 4, 2, 16, (int) (blockBytes / 256), 1, 2);
        }
        if (blockBytes > Integer.MAX_VALUE) {
            throw new KvbmException(ErrorCode.INVALID_ARGUMENT, "blockBytes " + blockBytes
                    + " must be a multiple of 256 or at most " + Integer.MAX_VALUE);
        }
        return new LayoutConfig(blocks, 1, 1, 1, (int) blockBytes, 1, 1);
    }

    private static PhysicalLayout layout(SystemHostAllocator allocator, LayoutConfig config, LayoutType type) {
        BlockLayout layout = BlockLayout.of(config, type);
        List<Storage> storages = new ArrayList<>();
        for (int i = 0; i < layout.numStorageRegions(); i++) {
            storages.add(allocator.allocate(layout.requiredAllocationSize(), config.alignment()));
        }
        return new PhysicalLayout(layout, storages);
    }
}
