package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.tier.cuda.CudaCopyProbe.Result;
import dev.kvbm.tier.cuda.CudaOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUstream;

/**
 * Host-device copy throughput of the cuda engine next to one plain {@code cuMemcpyAsync} of the same bytes
 * between the same pinned host buffer and device buffer, in the same run. Needs a GPU.
 */
public final class CudaCopyMeasurement {
    private CudaCopyMeasurement() {
    }

    /** Pinned (registered) host memory for the measurement. */
    private record HostRegion(MemorySegment segment, Arena arena) implements HostMemoryStorage {
        @Override
        public StorageKind kind() {
            return StorageKind.PINNED;
        }

        @Override
        public long size() {
            return segment.byteSize();
        }

        @Override
        public void close() {
        }
    }

    /** 4 layers x 2 (K/V) x 16 tokens of 2-byte elements; inner sized to make {@code blockBytes}. */
    static LayoutConfig geometry(long blockBytes, int blocks) {
        int inner = (int) (blockBytes / (4L * 2 * 16 * 2));
        return new LayoutConfig(blocks, 4, 2, 16, inner, LayoutConfig.DEFAULT_ALIGNMENT, 2);
    }

    public static List<Result> measure(int ordinal, long blockBytes, int blocks, int iterations, LayoutType deviceLayout,
                                       Map<String, String> engineOptions) {
        if (blocks < 1 || (blocks % 7 == 0)) {
            throw dev.kvbm.api.KvbmException.invalid("blocks", blocks, ">= 1 and not a multiple of 7");
        }
        CudaDriver.requireAvailable("CudaCopyProbe");
        CudaDriver.checkOrdinal(CudaOptions.DEVICE, ordinal);
        LayoutConfig config = geometry(blockBytes, blocks);
        BlockLayout hostLayout = BlockLayout.of(config, LayoutType.FULLY_CONTIGUOUS);
        BlockLayout devLayout = BlockLayout.of(config, deviceLayout);
        List<Result> results = new ArrayList<>();
        CudaHostRegistrar registrar = new CudaHostRegistrar(ordinal, CudaOptions.DEFAULT_REGISTER_CHUNK_BYTES,
                CudaHostRegistrar.cuda(ordinal), CudaHostRegistrar.REGISTERED);
        Arena arena = Arena.ofShared();
        List<MemorySegment> registered = new ArrayList<>();
        List<Storage> devices = new ArrayList<>();
        CudaDeviceAllocator allocator = new CudaDeviceAllocator(ordinal, Long.MAX_VALUE, DeviceMemoryOps.CUDA);
        try (CudaTransferEngine engine = new CudaTransferEngine(CopyStrategy.Settings.from(engineOptions))) {
            MemorySegment host = arena.allocate(hostLayout.requiredAllocationSize(), 4096);
            for (long off = 0; off < host.byteSize(); off += CudaOptions.DEFAULT_REGISTER_CHUNK_BYTES) {
                MemorySegment c = host.asSlice(off, Math.min(CudaOptions.DEFAULT_REGISTER_CHUNK_BYTES, host.byteSize() - off));
                registrar.register(c);
                registered.add(c);
            }
            host.fill((byte) 0x5a); // first touch before timing
            PhysicalLayout hostPhysical = new PhysicalLayout(hostLayout, List.of(new HostRegion(host, arena)));
            for (int i = 0; i < devLayout.numStorageRegions(); i++) {
                devices.add(allocator.allocate(devLayout.requiredAllocationSize(), 4096));
            }
            PhysicalLayout devPhysical = new PhysicalLayout(devLayout, devices);
            // Target block 7b mod n (a permutation when n is not a multiple of 7): no two blocks adjacent on both
            // sides, so the engine issues one copy per block (or per region) as it would for scattered KV blocks.
            List<BlockPair> h2d = new ArrayList<>();
            List<BlockPair> d2h = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                int t = (int) ((b * 7L) % blocks);
                h2d.add(new BlockPair(b, t));
                d2h.add(new BlockPair(t, b));
            }
            long bytes = config.blockDataBytes() * blocks;
            results.add(run("H2D", engine, hostPhysical, devPhysical, h2d, iterations, bytes, deviceLayout, blockBytes,
                    blocks, ordinal, host.address() + hostPhysical.baseOffset(0), devices.getFirst().address()));
            results.add(run("D2H", engine, devPhysical, hostPhysical, d2h, iterations, bytes, deviceLayout, blockBytes,
                    blocks, ordinal, devices.getFirst().address(), host.address() + hostPhysical.baseOffset(0)));
        } finally {
            devices.forEach(Storage::close);
            allocator.close();
            registered.forEach(registrar::unregister);
            arena.close();
        }
        return results;
    }

    private static Result run(String direction, CudaTransferEngine engine, PhysicalLayout from, PhysicalLayout to,
                              List<BlockPair> pairs, int iterations, long bytes, LayoutType deviceLayout, long blockBytes,
                              int blocks, int ordinal, long refSrc, long refDst) {
        engine.transfer(from, to, pairs).join(); // warm-up: lanes, kernel load, table buffer
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            engine.transfer(from, to, pairs).join();
        }
        double engineGBps = bytes * (double) iterations / (System.nanoTime() - start);
        String strategy = engine.lastDecision() == null ? "?" : engine.lastDecision().strategy().name();
        // The physical reference: one cuMemcpyAsync of all the bytes between the same pinned and device buffers.
        CudaDriver.makeCurrent(ordinal);
        CUstream stream = CudaDriver.streamCreate();
        try {
            copyOnce(stream, refSrc, refDst, bytes);
            start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                copyOnce(stream, refSrc, refDst, bytes);
            }
            double refGBps = bytes * (double) iterations / (System.nanoTime() - start);
            return new Result(direction, LayoutType.FULLY_CONTIGUOUS, deviceLayout, blockBytes, blocks, strategy,
                    engineGBps, refGBps);
        } finally {
            CudaDriver.streamDestroy(stream);
        }
    }

    private static void copyOnce(CUstream stream, long src, long dst, long bytes) {
        CudaDriver.memcpyAsync(dst, src, bytes, stream);
        CudaDriver.streamSynchronize(stream);
    }

    /**
     * The kernel-versus-per-region threshold measured here: H2D into a LayerSeparate device layout with the kernel
     * forced and with it off, at region sizes from 4 KiB to 1 MiB; see {@link CopyStrategy#crossover}.
     */
    public static java.util.OptionalLong calibrate(int ordinal, int iterations, java.util.function.Consumer<String> log) {
        List<CopyStrategy.Sample> samples = new ArrayList<>();
        for (long region = 4096; region <= (1 << 20); region *= 4) {
            long blockBytes = region * 4 * 2; // 4 layers x 2 outer regions per block
            int blocks = (int) Math.max(8, Math.min(512, (256L << 20) / blockBytes));
            double kernel = measure(ordinal, blockBytes, blocks, iterations, LayoutType.LAYER_SEPARATE_OUTER,
                    Map.of(CudaOptions.KERNEL, "force")).getFirst().engineGBps();
            double perRegion = measure(ordinal, blockBytes, blocks, iterations, LayoutType.LAYER_SEPARATE_OUTER,
                    Map.of(CudaOptions.KERNEL, "off")).getFirst().engineGBps();
            samples.add(new CopyStrategy.Sample(region, kernel, perRegion));
            log.accept(String.format(java.util.Locale.ROOT, "region %7d bytes: kernel %.2f GB/s, per-region %.2f GB/s",
                    region, kernel, perRegion));
        }
        return CopyStrategy.crossover(samples);
    }
}
