package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.layout.MemoryRegion;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.tck.TestHostMemory;
import dev.kvbm.tier.cuda.CudaCopyProbe;
import dev.kvbm.tier.cuda.CudaOptions;
import dev.kvbm.tier.cuda.CudaProbe;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real device work: allocation, registration, H2D/D2D/D2H of every layout pair byte-exact with and without the
 * kernel, event completion, concurrent offload and onboard. Skipped, with the probe's cause, without a GPU.
 */
class CudaGpuTest {
    // 4 layers, 2 outer, 16 tokens x 64 elements x 2 bytes = 2 KiB pages; 16 KiB blocks; alignment 256.
    static final LayoutConfig CONFIG = new LayoutConfig(32, 4, 2, 16, 64, 256, 2);
    static final List<LayoutType> TYPES = List.of(LayoutType.FULLY_CONTIGUOUS, LayoutType.LAYER_SEPARATE_OUTER,
            LayoutType.LAYER_SEPARATE_BLOCK);

    final List<Storage> toClose = new ArrayList<>();
    final List<MemorySegment> registered = new ArrayList<>();
    CudaDeviceAllocator allocator;
    CudaHostRegistrar registrar;

    @BeforeEach
    void requireGpu() {
        assumeTrue(CudaProbe.isAvailable(), () -> "no GPU: " + CudaProbe.unavailabilityCause().orElse("?"));
        allocator = new CudaDeviceAllocator(0, Long.MAX_VALUE, DeviceMemoryOps.CUDA);
        registrar = new CudaHostRegistrar(0, 1 << 20, CudaHostRegistrar.cuda(0), CudaHostRegistrar.REGISTERED);
    }

    @AfterEach
    void release() {
        registered.forEach(c -> registrar.unregister(c));
        toClose.forEach(Storage::close);
        if (allocator != null) {
            assertEquals(0, allocator.outstanding(), "every device allocation was freed");
            allocator.close();
        }
    }

    PhysicalLayout device(LayoutType type) {
        BlockLayout l = BlockLayout.of(CONFIG, type);
        List<Storage> s = new ArrayList<>();
        for (int i = 0; i < l.numStorageRegions(); i++) {
            Storage st = allocator.allocate(l.requiredAllocationSize(), 4096);
            toClose.add(st);
            s.add(st);
        }
        return new PhysicalLayout(l, s);
    }

    PhysicalLayout host(LayoutType type, boolean register) {
        BlockLayout l = BlockLayout.of(CONFIG, type);
        List<Storage> s = new ArrayList<>();
        for (int i = 0; i < l.numStorageRegions(); i++) {
            TestHostMemory h = TestHostMemory.allocate(l.requiredAllocationSize(), register ? StorageKind.PINNED
                    : StorageKind.SYSTEM);
            toClose.add(h);
            s.add(h);
            if (register) {
                for (long off = 0; off < h.size(); off += registrar.maxChunkBytes()) {
                    MemorySegment c = h.segment().asSlice(off, Math.min(registrar.maxChunkBytes(), h.size() - off));
                    registrar.register(c);
                    registered.add(c);
                }
            }
        }
        return new PhysicalLayout(l, s);
    }

    static MemorySegment page(PhysicalLayout layout, int block, int layer, int outer) {
        MemoryRegion r = layout.layout().memoryRegion(block, layer, outer);
        return ((HostMemoryStorage) layout.storage(r.storageIndex())).segment()
                .asSlice(layout.offset(block, layer, outer), r.size());
    }

    static void fillRandom(PhysicalLayout layout, long seed) {
        Random random = new Random(seed);
        for (Storage s : layout.storages()) {
            MemorySegment seg = ((HostMemoryStorage) s).segment();
            byte[] bytes = new byte[(int) seg.byteSize()];
            random.nextBytes(bytes);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, seg, 0, bytes.length);
        }
    }

    static Stream<Arguments> layoutPairs() {
        List<Arguments> all = new ArrayList<>();
        for (LayoutType h : TYPES) {
            for (LayoutType d : TYPES) {
                for (String kernel : List.of("auto", "off", "force")) {
                    all.add(Arguments.of(h, d, kernel));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "host {0} <-> device {1}, kernel {2}")
    @MethodSource("layoutPairs")
    void roundTripsAreByteExact(LayoutType hostType, LayoutType deviceType, String kernel) throws Exception {
        PhysicalLayout src = host(hostType, true);
        PhysicalLayout devA = device(deviceType);
        PhysicalLayout devB = device(TYPES.get((TYPES.indexOf(deviceType) + 1) % TYPES.size()));
        PhysicalLayout dst = host(TYPES.get((TYPES.indexOf(hostType) + 2) % TYPES.size()), !kernel.equals("off"));
        fillRandom(src, 42);
        List<BlockPair> h2d = new ArrayList<>();
        List<BlockPair> d2d = new ArrayList<>();
        List<BlockPair> d2h = new ArrayList<>();
        for (int b = 0; b < 12; b++) {
            h2d.add(new BlockPair(b, 31 - b));
            d2d.add(new BlockPair(31 - b, b + 3));
            d2h.add(new BlockPair(b + 3, (b * 5) % 32));
        }
        try (CudaTransferEngine engine = new CudaTransferEngine(CopyStrategy.Settings.from(Map.of(CudaOptions.KERNEL, kernel)))) {
            engine.transfer(src, devA, h2d).get(30, TimeUnit.SECONDS);
            engine.transfer(devA, devB, d2d).get(30, TimeUnit.SECONDS);
            engine.transfer(devB, dst, d2h).get(30, TimeUnit.SECONDS);
            CopyStrategy last = engine.lastDecision().strategy();
            if (kernel.equals("off")) {
                assertTrue(last != CopyStrategy.KERNEL, engine.lastDecision().toString());
            } else if (kernel.equals("force") && BatchedCopyKernel.forDevice(0).ok() && last != CopyStrategy.WHOLE_BLOCKS) {
                assertEquals(CopyStrategy.KERNEL, last, engine.lastDecision().toString());
            }
        }
        for (int b = 0; b < 12; b++) {
            int finalBlock = (b * 5) % 32;
            for (int l = 0; l < CONFIG.numLayers(); l++) {
                for (int o = 0; o < CONFIG.outerDim(); o++) {
                    assertEquals(-1, page(src, b, l, o).mismatch(page(dst, finalBlock, l, o)),
                            "block " + b + " layer " + l + " outer " + o);
                }
            }
        }
    }

    @Test
    void theBatchedKernelCompilesAndLoads() {
        BatchedCopyKernel.Loaded k = BatchedCopyKernel.forDevice(0);
        assumeTrue(k.ok() || !k.failure().contains("libnvrtc"), () -> "NVRTC is not installed: " + k.failure());
        assertTrue(k.ok(), () -> "kernel: " + k.failure());
    }

    @Test
    void pageableHostMemoryUsesPerRegionCopiesAndStaysExact() throws Exception {
        PhysicalLayout src = host(LayoutType.FULLY_CONTIGUOUS, false);
        PhysicalLayout dev = device(LayoutType.LAYER_SEPARATE_OUTER);
        PhysicalLayout dst = host(LayoutType.FULLY_CONTIGUOUS, false);
        fillRandom(src, 7);
        List<BlockPair> pairs = List.of(new BlockPair(0, 5), new BlockPair(1, 6), new BlockPair(2, 7));
        try (CudaTransferEngine engine = new CudaTransferEngine(CopyStrategy.Settings.DEFAULT)) {
            engine.transfer(src, dev, pairs).get(30, TimeUnit.SECONDS);
            assertEquals(CopyStrategy.PER_REGION, engine.lastDecision().strategy());
            engine.transfer(dev, dst, List.of(new BlockPair(5, 0), new BlockPair(6, 1), new BlockPair(7, 2)))
                    .get(30, TimeUnit.SECONDS);
        }
        for (int b = 0; b < 3; b++) {
            assertEquals(-1, page(src, b, 0, 0).mismatch(page(dst, b, 0, 0)));
            assertEquals(-1, page(src, b, 3, 1).mismatch(page(dst, b, 3, 1)));
        }
    }

    @Test
    void offloadAndOnboardRunConcurrentlyOnTheirOwnLanes() throws Exception {
        PhysicalLayout hostIn = host(LayoutType.FULLY_CONTIGUOUS, true);
        PhysicalLayout hostOut = host(LayoutType.FULLY_CONTIGUOUS, true);
        PhysicalLayout dev = device(LayoutType.FULLY_CONTIGUOUS);
        fillRandom(hostIn, 1);
        List<BlockPair> lower = new ArrayList<>();
        List<BlockPair> upper = new ArrayList<>();
        for (int b = 0; b < 16; b++) {
            lower.add(new BlockPair(b, b));
            upper.add(new BlockPair(b + 16, b + 16));
        }
        try (CudaTransferEngine engine = new CudaTransferEngine(CopyStrategy.Settings.DEFAULT)) {
            engine.transfer(hostIn, dev, upper).get(30, TimeUnit.SECONDS); // device blocks 16..31 hold data to offload
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                futures.add(engine.transfer(hostIn, dev, lower)); // onboard lane
                futures.add(engine.transfer(dev, hostOut, upper)); // offload lane
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            engine.transfer(dev, hostOut, lower).get(30, TimeUnit.SECONDS);
        }
        for (int b = 0; b < 32; b++) {
            assertEquals(-1, page(hostIn, b, 0, 0).mismatch(page(hostOut, b, 0, 0)), "block " + b);
        }
    }

    @Test
    void engineOwnedMemoryIsUsableAndNotFreed() throws Exception {
        Storage owned = allocator.allocate(BlockLayout.of(CONFIG, LayoutType.FULLY_CONTIGUOUS).requiredAllocationSize(), 4096);
        toClose.add(owned);
        CudaDeviceStorage wrapped = CudaDeviceStorage.wrap(0, owned.address(), owned.size());
        PhysicalLayout dev = new PhysicalLayout(BlockLayout.of(CONFIG, LayoutType.FULLY_CONTIGUOUS), List.of(wrapped));
        PhysicalLayout src = host(LayoutType.FULLY_CONTIGUOUS, true);
        PhysicalLayout dst = host(LayoutType.FULLY_CONTIGUOUS, true);
        fillRandom(src, 3);
        try (CudaTransferEngine engine = new CudaTransferEngine(CopyStrategy.Settings.DEFAULT)) {
            engine.transfer(src, dev, List.of(new BlockPair(0, 9))).get(30, TimeUnit.SECONDS);
            wrapped.close(); // frees nothing: the memory is still the owner's
            engine.transfer(dev, dst, List.of(new BlockPair(9, 1))).get(30, TimeUnit.SECONDS);
        }
        assertEquals(-1, page(src, 0, 0, 0).mismatch(page(dst, 1, 0, 0)));
    }

    @Test
    void theProbeMeasuresBothFigures() {
        List<CudaCopyProbe.Result> results = CudaCopyProbe.measure(0, 256 << 10, 64, 2, LayoutType.LAYER_SEPARATE_OUTER);
        assertEquals(2, results.size());
        for (CudaCopyProbe.Result r : results) {
            assertTrue(r.engineGBps() > 0 && r.referenceGBps() > 0, r.toString());
            System.out.println(r);
        }
    }
}
