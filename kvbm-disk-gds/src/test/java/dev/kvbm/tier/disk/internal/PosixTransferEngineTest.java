package dev.kvbm.tier.disk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.tck.TestHostMemory;
import dev.kvbm.nativeio.libc.LibC;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PosixTransferEngineTest {
    private Path dir;
    private DiskAllocator disk;
    private PosixTransferEngine engine;
    private final List<Storage> host = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(Path.of("target"));
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "posix");
        disk = new DiskAllocator(dir, true, false, Long.MAX_VALUE, LibC::fallocate);
        engine = (PosixTransferEngine) new PosixEngineProvider().create(Map.of());
    }

    @AfterEach
    void tearDown() throws IOException {
        engine.close();
        disk.close();
        host.forEach(Storage::close);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "every cache file is unlinked");
        }
        Files.delete(dir);
    }

    private PhysicalLayout hostLayout(LayoutConfig c, LayoutType t, long skew) {
        BlockLayout l = BlockLayout.of(c, t);
        List<Storage> s = new ArrayList<>();
        for (int i = 0; i < l.numStorageRegions(); i++) {
            TestHostMemory m = TestHostMemory.allocate(l.requiredAllocationSize() + skew, StorageKind.PINNED, skew);
            host.add(m);
            s.add(m);
        }
        return new PhysicalLayout(l, s);
    }

    private PhysicalLayout diskLayout(LayoutConfig c, LayoutType t) {
        BlockLayout l = BlockLayout.of(c, t);
        List<Storage> s = new ArrayList<>();
        for (int i = 0; i < l.numStorageRegions(); i++) {
            s.add(disk.allocate(l.requiredAllocationSize(), 4096));
        }
        return new PhysicalLayout(l, s);
    }

    /** Fills every page of {@code block} with a pattern of (seed, layer, outer, position). */
    static void fill(PhysicalLayout p, int block, int seed) {
        LayoutConfig c = p.layout().config();
        for (int l = 0; l < c.numLayers(); l++) {
            for (int o = 0; o < c.outerDim(); o++) {
                MemorySegment s = page(p, block, l, o);
                for (long i = 0; i < s.byteSize(); i += 4) {
                    s.set(ValueLayout.JAVA_INT_UNALIGNED, i, seed * 1_000_003 + l * 7919 + o * 104_729 + (int) i);
                }
            }
        }
    }

    static boolean matches(PhysicalLayout p, int block, int seed) {
        LayoutConfig c = p.layout().config();
        for (int l = 0; l < c.numLayers(); l++) {
            for (int o = 0; o < c.outerDim(); o++) {
                MemorySegment s = page(p, block, l, o);
                for (long i = 0; i < s.byteSize(); i += 4) {
                    if (s.get(ValueLayout.JAVA_INT_UNALIGNED, i) != seed * 1_000_003 + l * 7919 + o * 104_729 + (int) i) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static MemorySegment page(PhysicalLayout p, int block, int layer, int outer) {
        var r = p.layout().memoryRegion(block, layer, outer);
        return ((HostMemoryStorage) p.storage(r.storageIndex())).segment()
                .asSlice(p.offset(block, layer, outer), p.layout().config().memoryRegionSize());
    }

    @ParameterizedTest(name = "{0} host (skew {2}) <-> {1} disk, region {3} bytes")
    @CsvSource({
        "fc, fc, 0, 8192",
        "fc, fc, 0, 1000",
        "fc, fc, 16, 8192",
        "ls-outer, fc, 0, 4096",
        "fc, ls-block, 0, 1024",
        "ls-block, ls-outer, 64, 1536",
    })
    void roundTripsThroughTheFile(String hostType, String diskType, long skew, int regionBytes) {
        // region = page x inner x 2 bytes
        LayoutConfig g = new LayoutConfig(6, 3, 2, 4, regionBytes / 8, 1, 2);
        LayoutConfig diskGeometry = g.withAlignment(4096);
        PhysicalLayout src = hostLayout(g, LayoutType.parse(hostType), skew);
        PhysicalLayout back = hostLayout(g, LayoutType.parse(hostType), skew);
        PhysicalLayout file = diskLayout(diskGeometry, LayoutType.parse(diskType));
        for (int b = 0; b < 6; b++) {
            fill(src, b, b + 1);
        }
        engine.transfer(src, file, List.of(new BlockPair(0, 5), new BlockPair(1, 4), new BlockPair(2, 0),
                new BlockPair(3, 1))).join();
        engine.transfer(src, file, List.of(new BlockPair(4, 2))).join();
        engine.transfer(file, back, List.of(new BlockPair(5, 0), new BlockPair(4, 1), new BlockPair(0, 2),
                new BlockPair(1, 3), new BlockPair(2, 4))).join();
        for (int b = 0; b < 5; b++) {
            assertTrue(matches(back, b, b + 1), "block " + b + " came back intact");
        }
        boolean aligned = skew == 0 && regionBytes % 4096 == 0;
        assertEquals(aligned, engine.bouncedBytes() == 0, "bounce buffer used only when unaligned");
    }

    @Test
    void fullyContiguousBlocksMoveWholeAndAdjacentPagesCoalesce() {
        LayoutConfig g = new LayoutConfig(8, 4, 2, 16, 128, 4096, 2); // 4 KiB regions, 32 KiB blocks
        PhysicalLayout src = hostLayout(g, LayoutType.FULLY_CONTIGUOUS, 0);
        PhysicalLayout file = diskLayout(g, LayoutType.FULLY_CONTIGUOUS);
        engine.transfer(src, file, List.of(new BlockPair(0, 3), new BlockPair(1, 6))).join();
        assertEquals(2, engine.lastPlan().extents, "one extent per whole block");
        engine.transfer(src, file, List.of(new BlockPair(2, 0), new BlockPair(3, 1), new BlockPair(4, 2))).join();
        assertEquals(1, engine.lastPlan().extents, "adjacent on both sides: one extent");
        PhysicalLayout ls = hostLayout(g, LayoutType.parse("ls-outer"), 0);
        engine.transfer(ls, file, List.of(new BlockPair(0, 7))).join();
        assertEquals(8, engine.lastPlan().extents, "layer-separate: one extent per (layer, outer)");
    }

    @Tag("fault")
    @Test
    void aShortReadFailsTheTransferAndLeavesTheTargetUntouched() throws IOException {
        LayoutConfig g = new LayoutConfig(4, 1, 1, 16, 128, 4096, 2);
        PhysicalLayout src = hostLayout(g, LayoutType.FULLY_CONTIGUOUS, 0);
        PhysicalLayout back = hostLayout(g, LayoutType.FULLY_CONTIGUOUS, 0);
        PhysicalLayout file = diskLayout(g, LayoutType.FULLY_CONTIGUOUS);
        fill(src, 3, 9);
        fill(back, 0, 42);
        engine.transfer(src, file, List.of(new BlockPair(3, 3))).join();
        // Something outside kvbm shrinks the file: block 3 is now past its end.
        ((DiskFileStorage) file.storage(0)).channel().truncate(4096 * 2);
        CompletionException e = assertThrows(CompletionException.class,
                () -> engine.transfer(file, back, List.of(new BlockPair(3, 1))).join());
        KvbmException k = assertInstanceOf(KvbmException.class, e.getCause());
        assertEquals(ErrorCode.TRANSFER_FAILED, k.code());
        assertTrue(k.getMessage().contains("short read"), k.getMessage());
        assertTrue(matches(back, 0, 42), "other blocks of the target are untouched");
        assertTrue(matches(src, 3, 9), "the source is untouched");
    }

    @Test
    void badTransfersFailWithTheFieldNamed() {
        LayoutConfig g = new LayoutConfig(2, 1, 1, 16, 128, 4096, 2);
        PhysicalLayout a = hostLayout(g, LayoutType.FULLY_CONTIGUOUS, 0);
        PhysicalLayout b = hostLayout(g, LayoutType.FULLY_CONTIGUOUS, 0);
        PhysicalLayout file = diskLayout(g, LayoutType.FULLY_CONTIGUOUS);
        KvbmException hostToHost = failure(() -> engine.transfer(a, b, List.of(new BlockPair(0, 0))).join());
        assertEquals("source", hostToHost.field().orElseThrow());
        KvbmException range = failure(() -> engine.transfer(a, file, List.of(new BlockPair(0, 2))).join());
        assertTrue(range.getMessage().contains("target block 2 out of range 0..1"), range.getMessage());
        PhysicalLayout other = diskLayout(new LayoutConfig(2, 2, 1, 16, 128, 4096, 2), LayoutType.FULLY_CONTIGUOUS);
        KvbmException geometry = failure(() -> engine.transfer(a, other, List.of(new BlockPair(0, 0))).join());
        assertTrue(geometry.getMessage().contains("numLayers"), geometry.getMessage());
    }

    private static KvbmException failure(Runnable r) {
        CompletionException e = assertThrows(CompletionException.class, r::run);
        KvbmException k = assertInstanceOf(KvbmException.class, e.getCause());
        assertEquals(ErrorCode.TRANSFER_FAILED, k.code());
        return assertInstanceOf(KvbmException.class, k.getCause());
    }

    @Test
    void providerServesHostDiskPathsOnly() {
        PosixEngineProvider p = new PosixEngineProvider();
        assertEquals(10, p.preference(StorageKind.PINNED, StorageKind.DISK));
        assertEquals(10, p.preference(StorageKind.DISK, StorageKind.SYSTEM));
        assertEquals(-1, p.preference(StorageKind.PINNED, StorageKind.SYSTEM));
        assertEquals(-1, p.preference(StorageKind.DEVICE, StorageKind.DISK));
        KvbmException e = assertThrows(KvbmException.class, () -> p.create(Map.of("kvbm.disk.posix.threads", "0")));
        assertEquals("kvbm.disk.posix.threads", e.field().orElseThrow());
    }

    /** Three threads write through an engine bounded to 2 pending groups: it never holds more, and every block lands. */
    @Test
    void writesBeyondTheBoundWaitForRoomAndAllLand() throws Exception {
        LayoutConfig g = new LayoutConfig(8, 1, 1, 16, 128, 4096, 2);
        PosixTransferEngine bounded = new PosixTransferEngine(1, 2);
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            PhysicalLayout src = hostLayout(g, LayoutType.FULLY_CONTIGUOUS, 0);
            PhysicalLayout file = diskLayout(g, LayoutType.FULLY_CONTIGUOUS);
            PhysicalLayout back = hostLayout(g, LayoutType.FULLY_CONTIGUOUS, 0);
            for (int b = 0; b < 8; b++) {
                fill(src, b, b + 11);
            }
            java.util.concurrent.atomic.AtomicInteger highest = new java.util.concurrent.atomic.AtomicInteger();
            List<java.util.concurrent.Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int block = t;
                running.add(callers.submit(() -> {
                    List<java.util.concurrent.CompletableFuture<Void>> writes = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        writes.add(bounded.transfer(src, file, List.of(new BlockPair(block, block))));
                        highest.accumulateAndGet(bounded.pendingTasks(), Math::max);
                    }
                    java.util.concurrent.CompletableFuture.allOf(writes.toArray(
                            java.util.concurrent.CompletableFuture[]::new)).get(30, java.util.concurrent.TimeUnit.SECONDS);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> r : running) {
                r.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertTrue(highest.get() <= 2, "never more than 2 groups pending, saw " + highest.get());
            bounded.transfer(file, back, List.of(new BlockPair(0, 0), new BlockPair(1, 1), new BlockPair(2, 2))).join();
            for (int b = 0; b < 3; b++) {
                assertTrue(matches(back, b, b + 11), "block " + b);
            }
        } finally {
            callers.shutdownNow();
            bounded.close();
        }
    }
}
