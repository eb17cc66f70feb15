package dev.kvbm.tier.host.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.layout.MemoryRegion;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.tck.DeviceAddressStorage;
import dev.kvbm.tck.TestHostMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MemcpyTransferEngineTest {
    // 8 blocks x 3 layers x 2 outer, pages of 4 tokens x 8 elements x 2 bytes = 64 bytes.
    static final LayoutConfig GEOMETRY = new LayoutConfig(8, 3, 2, 4, 8, 1, 2);

    final SystemHostAllocator allocator = new SystemHostAllocator(Long.MAX_VALUE);
    final MemcpyTransferEngine engine = (MemcpyTransferEngine) new MemcpyEngineProvider().create(Map.of());

    @AfterEach
    void close() {
        engine.close();
        allocator.close();
        assertEquals(0, allocator.outstanding(), "nothing leaked");
    }

    /** A layout whose storage regions start {@code skew} bytes past a page boundary. */
    PhysicalLayout layout(LayoutConfig config, LayoutType type, long skew) {
        BlockLayout layout = BlockLayout.of(config, type);
        List<Storage> storages = new ArrayList<>();
        for (int i = 0; i < layout.numStorageRegions(); i++) {
            Storage parent = allocator.allocate(layout.requiredAllocationSize() + skew, 1);
            storages.add(TestHostMemory.view(parent, skew, layout.requiredAllocationSize()));
        }
        return new PhysicalLayout(layout, storages);
    }

    static void randomize(PhysicalLayout layout, long seed) {
        Random r = new Random(seed);
        for (Storage s : layout.storages()) {
            MemorySegment seg = ((HostMemoryStorage) s).segment();
            byte[] bytes = new byte[(int) seg.byteSize()];
            r.nextBytes(bytes);
            MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        }
    }

    static List<byte[]> snapshot(PhysicalLayout layout) {
        return layout.storages().stream().map(s -> ((HostMemoryStorage) s).segment().toArray(ValueLayout.JAVA_BYTE)).toList();
    }

    /** The target bytes a correct transfer produces, computed page by page with plain array copies. */
    static List<byte[]> expected(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        List<byte[]> src = snapshot(source);
        List<byte[]> dst = snapshot(target);
        LayoutConfig c = source.layout().config();
        for (BlockPair p : pairs) {
            for (int l = 0; l < c.numLayers(); l++) {
                for (int o = 0; o < c.outerDim(); o++) {
                    MemoryRegion s = source.layout().memoryRegion(p.source(), l, o);
                    MemoryRegion d = target.layout().memoryRegion(p.target(), l, o);
                    System.arraycopy(src.get(s.storageIndex()), (int) source.offset(p.source(), l, o),
                            dst.get(d.storageIndex()), (int) target.offset(p.target(), l, o), (int) s.size());
                }
            }
        }
        return dst;
    }

    static void assertBytes(List<byte[]> expected, PhysicalLayout target) {
        List<byte[]> actual = snapshot(target);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(-1, java.util.Arrays.mismatch(expected.get(i), actual.get(i)), "region " + i + " differs");
        }
    }

    static Stream<Arguments> layoutPairs() {
        return Stream.of(
                Arguments.of(LayoutType.FULLY_CONTIGUOUS, LayoutType.FULLY_CONTIGUOUS),
                Arguments.of(LayoutType.FULLY_CONTIGUOUS, LayoutType.LAYER_SEPARATE_OUTER),
                Arguments.of(LayoutType.FULLY_CONTIGUOUS, LayoutType.LAYER_SEPARATE_BLOCK),
                Arguments.of(LayoutType.LAYER_SEPARATE_OUTER, LayoutType.FULLY_CONTIGUOUS),
                Arguments.of(LayoutType.LAYER_SEPARATE_BLOCK, LayoutType.FULLY_CONTIGUOUS),
                Arguments.of(LayoutType.LAYER_SEPARATE_BLOCK, LayoutType.LAYER_SEPARATE_BLOCK),
                Arguments.of(LayoutType.LAYER_SEPARATE_OUTER, LayoutType.LAYER_SEPARATE_BLOCK),
                Arguments.of(LayoutType.LAYER_SEPARATE_OUTER, LayoutType.LAYER_SEPARATE_OUTER));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("layoutPairs")
    void copiesExactlyTheChosenPagesWithAlignmentAndUnalignedStarts(LayoutType from, LayoutType to) throws Exception {
        // Source aligned to 256 and starting 3 bytes past a page; target unaligned (1) starting 5 bytes past.
        PhysicalLayout source = layout(GEOMETRY.withAlignment(256), from, 3);
        PhysicalLayout target = layout(GEOMETRY.withNumBlocks(10), to, 5);
        randomize(source, 1);
        randomize(target, 2);
        List<BlockPair> pairs = List.of(new BlockPair(0, 9), new BlockPair(5, 0), new BlockPair(6, 1), new BlockPair(7, 4));
        List<byte[]> expected = expected(source, target, pairs);
        engine.transfer(source, target, pairs).get(10, TimeUnit.SECONDS);
        assertBytes(expected, target);
    }

    @Test
    void blockContiguousLayoutsCopyOneWholeBlockPerPair() throws Exception {
        PhysicalLayout source = layout(GEOMETRY, LayoutType.FULLY_CONTIGUOUS, 0);
        PhysicalLayout target = layout(GEOMETRY, LayoutType.FULLY_CONTIGUOUS, 0);
        randomize(source, 3);
        List<BlockPair> pairs = List.of(new BlockPair(1, 2), new BlockPair(2, 3), new BlockPair(7, 0));
        List<byte[]> expected = expected(source, target, pairs);
        engine.transfer(source, target, pairs).get(10, TimeUnit.SECONDS);
        assertBytes(expected, target);
        CopyPlan plan = engine.lastPlan();
        assertEquals(3, plan.copies());
        for (int i = 0; i < plan.copies(); i++) {
            assertEquals(GEOMETRY.blockDataBytes(), plan.lengths()[i]);
        }
    }

    @Test
    void adjacentBlocksOfLayerSeparateLayoutsCoalesceIntoOneCopyPerLayer() throws Exception {
        PhysicalLayout source = layout(GEOMETRY, LayoutType.LAYER_SEPARATE_BLOCK, 0);
        PhysicalLayout target = layout(GEOMETRY, LayoutType.LAYER_SEPARATE_BLOCK, 0);
        randomize(source, 4);
        // Given out of order on purpose: adjacency is found whatever the order of the pairs.
        List<BlockPair> adjacent = List.of(new BlockPair(3, 5), new BlockPair(1, 3), new BlockPair(2, 4), new BlockPair(0, 2));
        List<byte[]> expected = expected(source, target, adjacent);
        engine.transfer(source, target, adjacent).get(10, TimeUnit.SECONDS);
        assertBytes(expected, target);
        assertEquals(GEOMETRY.numLayers(), engine.lastPlan().copies(), "one copy per layer region");
        assertEquals(4 * GEOMETRY.blockDataBytes(), engine.lastPlan().totalBytes());

        List<BlockPair> scattered = List.of(new BlockPair(0, 0), new BlockPair(2, 2), new BlockPair(4, 6));
        expected = expected(source, target, scattered);
        engine.transfer(source, target, scattered).get(10, TimeUnit.SECONDS);
        assertBytes(expected, target);
        // Within a block the two outer pages are adjacent (block-contiguous LS), across blocks nothing is.
        assertEquals(3 * GEOMETRY.numLayers(), engine.lastPlan().copies());
    }

    @Test
    void alignmentPaddingBreaksAdjacency() {
        PhysicalLayout source = layout(GEOMETRY.withAlignment(512), LayoutType.LAYER_SEPARATE_BLOCK, 0);
        PhysicalLayout target = layout(GEOMETRY, LayoutType.LAYER_SEPARATE_BLOCK, 0);
        engine.transfer(source, target, List.of(new BlockPair(0, 0), new BlockPair(1, 1))).join();
        // Source blocks are 128 bytes of data in 512-byte strides: each block's two pages merge, blocks do not.
        assertEquals(2 * GEOMETRY.numLayers(), engine.lastPlan().copies());
    }

    @Test
    void largeBatchesAreSplitAcrossWorkersAndStayExact() throws Exception {
        LayoutConfig big = new LayoutConfig(64, 4, 2, 16, 64, 1, 2); // 16 KiB blocks, 1 MiB layouts
        try (MemcpyTransferEngine parallel = (MemcpyTransferEngine) new MemcpyEngineProvider().create(Map.of(
                MemcpyEngineProvider.THREADS, "4", MemcpyEngineProvider.PARALLEL_BYTES, "65536",
                MemcpyEngineProvider.TASK_BYTES, "4096"))) {
            for (LayoutType[] types : new LayoutType[][] {
                    {LayoutType.FULLY_CONTIGUOUS, LayoutType.FULLY_CONTIGUOUS},
                    {LayoutType.FULLY_CONTIGUOUS, LayoutType.LAYER_SEPARATE_OUTER}}) {
                PhysicalLayout source = layout(big, types[0], 7);
                PhysicalLayout target = layout(big, types[1], 0);
                randomize(source, 5);
                List<BlockPair> pairs = new ArrayList<>();
                for (int b = 0; b < 64; b++) {
                    pairs.add(new BlockPair(b, 63 - b));
                }
                List<byte[]> expected = expected(source, target, pairs);
                parallel.transfer(source, target, pairs).get(30, TimeUnit.SECONDS);
                assertBytes(expected, target);
                assertEquals(4, parallel.lastParallelism(), "split across the four workers");
            }
        }
    }

    @Test
    void stridedLayoutsSplitAcrossWorkersStayExact() throws Exception {
        // HiCache page-first (token runs of 128 bytes) to page-head (head runs of 32 bytes): a task boundary cuts runs.
        LayoutConfig big = new LayoutConfig(64, 4, 2, 16, 64, 1, 2, 4);
        LayoutType pageFirst = builtIn("hicache-page-first");
        LayoutType pageHead = builtIn("hicache-page-head");
        try (MemcpyTransferEngine parallel = (MemcpyTransferEngine) new MemcpyEngineProvider().create(Map.of(
                MemcpyEngineProvider.THREADS, "4", MemcpyEngineProvider.PARALLEL_BYTES, "65536",
                MemcpyEngineProvider.TASK_BYTES, "4096"))) {
            PhysicalLayout source = layout(big, pageFirst, 3);
            PhysicalLayout target = layout(big, pageHead, 0);
            List<BlockPair> pairs = new ArrayList<>();
            for (int b = 0; b < 64; b++) {
                dev.kvbm.tck.HostLayouts.fill(source, b, 100 + b);
                pairs.add(new BlockPair(b, 63 - b));
            }
            parallel.transfer(source, target, pairs).get(30, TimeUnit.SECONDS);
            assertEquals(4, parallel.lastParallelism(), "split across the four workers");
            for (int b = 0; b < 64; b++) {
                assertArrayEquals(dev.kvbm.tck.HostLayouts.bytes(source, b), dev.kvbm.tck.HostLayouts.bytes(target, 63 - b),
                        "block " + b);
            }
        }
    }

    private static LayoutType builtIn(String name) {
        return LayoutType.builtIns().stream().filter(t -> t.shortName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void smallBatchesAreCopiedOnTheCallingThreadBeforeTransferReturns() throws Exception {
        PhysicalLayout source = layout(GEOMETRY, LayoutType.FULLY_CONTIGUOUS, 0);
        PhysicalLayout target = layout(GEOMETRY, LayoutType.FULLY_CONTIGUOUS, 0);
        randomize(source, 11);
        List<BlockPair> pairs = List.of(new BlockPair(0, 5), new BlockPair(4, 1));
        List<byte[]> expected = expected(source, target, pairs);
        CompletableFuture<Void> done = engine.transfer(source, target, pairs);
        assertTrue(done.isDone() && !done.isCompletedExceptionally(), "completed by the caller: " + done);
        assertBytes(expected, target);
        assertEquals(1, engine.lastParallelism());
        assertEquals(0, engine.pendingTasks(), "nothing was handed to the workers");
    }

    @Test
    void splitBatchesRunOnTheCallerAndNamedDaemonWorkers() throws Exception {
        LayoutConfig big = new LayoutConfig(16, 4, 2, 16, 64, 1, 2); // 16 KiB blocks
        try (MemcpyTransferEngine parallel = (MemcpyTransferEngine) new MemcpyEngineProvider().create(Map.of(
                MemcpyEngineProvider.THREADS, "2", MemcpyEngineProvider.PARALLEL_BYTES, "1",
                MemcpyEngineProvider.TASK_BYTES, "4096"))) {
            PhysicalLayout source = layout(big, LayoutType.FULLY_CONTIGUOUS, 0);
            PhysicalLayout target = layout(big, LayoutType.FULLY_CONTIGUOUS, 0);
            randomize(source, 12);
            List<BlockPair> pairs = List.of(new BlockPair(0, 15), new BlockPair(1, 14), new BlockPair(2, 13));
            List<byte[]> expected = expected(source, target, pairs);
            parallel.transfer(source, target, pairs).get(10, TimeUnit.SECONDS);
            assertBytes(expected, target);
            assertEquals(2, parallel.lastParallelism());
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().startsWith("kvbm-memcpy-") && t.isDaemon()), "a daemon kvbm-memcpy-N worker");
        }
    }

    static KvbmException failure(CompletableFuture<Void> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
            return fail("the transfer should have failed");
        } catch (ExecutionException e) {
            KvbmException k = assertInstanceOf(KvbmException.class, e.getCause());
            assertEquals(ErrorCode.TRANSFER_FAILED, k.code());
            return k;
        } catch (Exception e) {
            return fail(e);
        }
    }

    static KvbmException cause(KvbmException transferFailed) {
        KvbmException k = assertInstanceOf(KvbmException.class, transferFailed.getCause());
        assertEquals(ErrorCode.INVALID_ARGUMENT, k.code());
        return k;
    }

    @Test
    void mismatchedGeometryFailsTheFutureNamingTheField() {
        PhysicalLayout source = layout(GEOMETRY, LayoutType.FULLY_CONTIGUOUS, 0);
        PhysicalLayout layers = layout(new LayoutConfig(8, 2, 2, 4, 8, 1, 2), LayoutType.FULLY_CONTIGUOUS, 0);
        KvbmException e = failure(engine.transfer(source, layers, List.of(new BlockPair(0, 0))));
        assertEquals("numLayers", cause(e).field().orElseThrow());
        assertTrue(e.getMessage().contains("numLayers differs: source 3, target 2"), e.getMessage());

        PhysicalLayout outer = layout(new LayoutConfig(8, 3, 1, 4, 16, 1, 2), LayoutType.FULLY_CONTIGUOUS, 0);
        assertEquals("outerDim", cause(failure(engine.transfer(source, outer, List.of(new BlockPair(0, 0)))))
                .field().orElseThrow());
        PhysicalLayout region = layout(new LayoutConfig(8, 3, 2, 4, 8, 1, 4), LayoutType.FULLY_CONTIGUOUS, 0);
        KvbmException r = failure(engine.transfer(source, region, List.of(new BlockPair(0, 0))));
        assertEquals("memoryRegionSize", cause(r).field().orElseThrow());
        assertTrue(r.getMessage().contains("source 64, target 128"), r.getMessage());
    }

    @Test
    void outOfRangeAndDuplicateBlocksFailBeforeAnyByteIsWritten() {
        PhysicalLayout source = layout(GEOMETRY, LayoutType.LAYER_SEPARATE_OUTER, 0);
        PhysicalLayout target = layout(GEOMETRY, LayoutType.FULLY_CONTIGUOUS, 0);
        randomize(source, 6);
        randomize(target, 7);
        List<byte[]> before = snapshot(target);

        KvbmException range = failure(engine.transfer(source, target, List.of(new BlockPair(0, 0), new BlockPair(1, 8))));
        assertEquals("target", cause(range).field().orElseThrow());
        assertTrue(range.getMessage().contains("target block 8 out of range 0..7"), range.getMessage());
        assertBytes(before, target);

        KvbmException src = failure(engine.transfer(source, target, List.of(new BlockPair(8, 0))));
        assertEquals("source", cause(src).field().orElseThrow());
        assertBytes(before, target);

        KvbmException dup = failure(engine.transfer(source, target, List.of(new BlockPair(0, 3), new BlockPair(1, 3))));
        assertTrue(dup.getMessage().contains("target block 3 appears twice"), dup.getMessage());
        assertBytes(before, target);
    }

    @Test
    void nonHostStorageAndClosedEnginesFailTheFuture() {
        PhysicalLayout host = layout(GEOMETRY, LayoutType.FULLY_CONTIGUOUS, 0);
        BlockLayout fc = BlockLayout.of(GEOMETRY, LayoutType.FULLY_CONTIGUOUS);
        PhysicalLayout device = new PhysicalLayout(fc, List.of(new DeviceAddressStorage(0, 1L << 40, fc.requiredAllocationSize())));
        KvbmException e = failure(engine.transfer(host, device, List.of(new BlockPair(0, 0))));
        assertTrue(e.getMessage().contains("DEVICE"), e.getMessage());

        engine.close();
        failure(engine.transfer(host, host, List.of(new BlockPair(0, 1))));
    }

    @Test
    void aClosedStorageFailsTheFutureInsteadOfKillingAWorker() {
        PhysicalLayout source = layout(GEOMETRY, LayoutType.FULLY_CONTIGUOUS, 0);
        BlockLayout fc = BlockLayout.of(GEOMETRY, LayoutType.FULLY_CONTIGUOUS);
        Storage closed = allocator.allocate(fc.requiredAllocationSize(), 1);
        PhysicalLayout target = new PhysicalLayout(fc, List.of(closed));
        closed.close();
        KvbmException e = failure(engine.transfer(source, target, List.of(new BlockPair(0, 0))));
        assertInstanceOf(IllegalStateException.class, e.getCause(), String.valueOf(e.getCause()));
    }

    @Test
    void providerServesEveryHostPathAndNothingElse() {
        MemcpyEngineProvider p = new MemcpyEngineProvider();
        assertEquals("memcpy", p.name());
        assertTrue(p.isAvailable());
        for (StorageKind s : StorageKind.values()) {
            for (StorageKind t : StorageKind.values()) {
                int expected = s.hostAddressable() && t.hostAddressable() ? 10 : MemcpyEngineProvider.UNSUPPORTED;
                assertEquals(expected, p.preference(s, t), s + "->" + t);
            }
        }
        assertEquals(4, p.paths().size());
    }

    /**
     * Four threads flood an engine bounded to 2 pending worker parts (every transfer is split in two: the caller
     * copies one part, a worker the other): it never holds more, and every copy lands.
     */
    @Test
    void transfersBeyondTheBoundWaitForRoomAndAllComplete() throws Exception {
        MemcpyTransferEngine bounded = new MemcpyTransferEngine(2, 1, 1, 2);
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> running = new ArrayList<>();
            java.util.concurrent.atomic.AtomicInteger highest = new java.util.concurrent.atomic.AtomicInteger();
            for (int t = 0; t < 4; t++) {
                PhysicalLayout source = layout(GEOMETRY, LayoutType.FULLY_CONTIGUOUS, 0);
                PhysicalLayout target = layout(GEOMETRY, LayoutType.FULLY_CONTIGUOUS, 0);
                randomize(source, t);
                List<BlockPair> pairs = List.of(new BlockPair(0, 7), new BlockPair(3, 2));
                List<byte[]> want = expected(source, target, pairs);
                running.add(callers.submit(() -> {
                    List<CompletableFuture<Void>> copies = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        copies.add(bounded.transfer(source, target, pairs));
                        highest.accumulateAndGet(bounded.pendingTasks(), Math::max);
                    }
                    CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                    List<byte[]> got = snapshot(target);
                    for (int r = 0; r < got.size(); r++) {
                        org.junit.jupiter.api.Assertions.assertArrayEquals(want.get(r), got.get(r));
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> r : running) {
                r.get(60, TimeUnit.SECONDS);
            }
            assertTrue(highest.get() <= 2, "never more than 2 tasks pending, saw " + highest.get());
            assertEquals(0, bounded.pendingTasks());
        } finally {
            callers.shutdownNow();
            bounded.close();
        }
        PhysicalLayout a = layout(GEOMETRY, LayoutType.FULLY_CONTIGUOUS, 0);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> bounded.transfer(a, a, List.of(new BlockPair(0, 1))).get(10, TimeUnit.SECONDS));
        KvbmException k = assertInstanceOf(KvbmException.class, e.getCause());
        assertEquals(ErrorCode.TRANSFER_FAILED, k.code());
        assertTrue(k.getMessage().contains("closed"), k.getMessage());
    }
}
