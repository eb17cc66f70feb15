package dev.kvbm.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.TransferEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every transfer engine must do, whatever it moves bytes with: copy blocks byte for byte between any
 * two layout types, to and from the storage it serves, with scattered block pairs; complete an empty
 * transfer at once; serve several threads at once; and report a bad transfer (a block out of range, two
 * geometries, a closed engine) through a {@link KvbmException} (thrown or as the future's cause), never by
 * hanging or corrupting another block. Every wait is bounded by {@link #timeout()}.
 *
 * <p>Subclasses supply the engine and two kinds of layout: host memory (the other end of every transfer,
 * readable here; {@link HostLayouts#allocate} gives one) and the storage under test (disk, device, or host
 * again for host engines). Layouts returned are closed by the contract. An engine the machine cannot run is
 * skipped by an assumption in {@link #createEngine()} naming the provider's cause.
 */
public abstract class TransferEngineContract {

    private final List<PhysicalLayout> opened = Collections.synchronizedList(new ArrayList<>());
    private TransferEngine engine;

    /** A new engine serving host &lt;-&gt; storage under test in both directions. */
    protected abstract TransferEngine createEngine();

    /** Host memory laid out as {@code type}; its storages must be {@link HostMemoryStorage}. */
    protected abstract PhysicalLayout hostLayout(LayoutConfig config, LayoutType type);

    /** The storage the engine serves, laid out as {@code type}. */
    protected abstract PhysicalLayout layoutUnderTest(LayoutConfig config, LayoutType type);

    /** Whether the module supports {@code behavior}; everything by default. */
    protected boolean hasBehavior(Behavior behavior) {
        return true;
    }

    /** The longest any one transfer may take here before the test fails. */
    protected Duration timeout() {
        return Duration.ofSeconds(30);
    }

    /** Block geometry: 2 layers x 2 outer x 4 tokens x 512 x 2 bytes (4 KiB pages), aligned to 4096. */
    protected LayoutConfig geometry(int blocks) {
        return new LayoutConfig(blocks, 2, 2, 4, 512, 4096, 2);
    }

    @AfterEach
    void closeContractResources() {
        if (engine != null) {
            engine.close();
        }
        synchronized (opened) {
            opened.forEach(PhysicalLayout::close);
            opened.clear();
        }
    }

    private TransferEngine engine() {
        if (engine == null) {
            engine = createEngine();
        }
        return engine;
    }

    private PhysicalLayout host(LayoutConfig c, LayoutType t) {
        PhysicalLayout p = hostLayout(c, t);
        opened.add(p);
        return p;
    }

    private PhysicalLayout underTest(LayoutConfig c, LayoutType t) {
        PhysicalLayout p = layoutUnderTest(c, t);
        opened.add(p);
        return p;
    }

    private void transfer(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        Waits.await(engine().transfer(source, target, pairs), timeout(), "a transfer of " + pairs.size() + " block(s)");
    }

    /**
     * Transfers, or, when {@code mayRefuse} (runs the engine need not serve), accepts a refusal: a
     * {@code KvbmException} from the engine, raised before any byte moves. Returns whether it transferred.
     */
    private boolean transferOrRefuse(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs,
                                     boolean mayRefuse) {
        if (!mayRefuse) {
            transfer(source, target, pairs);
            return true;
        }
        try {
            Waits.await(engine().transfer(source, target, pairs), timeout(), "a transfer of unaligned runs");
            return true;
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (!(cause instanceof KvbmException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            assertInstanceOf(KvbmException.class, cause, "an engine that cannot serve a layout must refuse it with "
                    + "KvbmException, got " + e);
            return false;
        }
    }

    private Throwable failure(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs, String what) {
        return Waits.failureOf(() -> engine().transfer(source, target, pairs), timeout(), what);
    }

    static Stream<Arguments> layoutPairs() {
        List<Arguments> out = new ArrayList<>();
        for (LayoutType a : HostLayouts.ALL_TYPES) {
            for (LayoutType b : HostLayouts.ALL_TYPES) {
                out.add(Arguments.of(Named.of(a.shortName(), a), Named.of(b.shortName(), b)));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "host {0} -> under test {1} -> host")
    @MethodSource("layoutPairs")
    void roundTripIsByteExactForEveryLayoutPair(LayoutType hostType, LayoutType testType) {
        int blocks = 6;
        LayoutConfig c = geometry(blocks);
        if (!c.hasHeads()) { // HiCache's page-head places heads apart: give it a head split
            c = c.withNumHeads(c.innerDim() % 2 == 0 ? 2 : 1);
        }
        assumeTrue(BlockLayout.of(c, testType).numStorageRegions() == 1
                        || hasBehavior(Behavior.LAYER_SEPARATE_UNDER_TEST),
                "the storage under test holds one-region layouts only (no " + Behavior.LAYER_SEPARATE_UNDER_TEST + ")");
        PhysicalLayout source = host(c, hostType);
        PhysicalLayout middle = underTest(c, testType);
        PhysicalLayout back = host(c, LayoutType.FULLY_CONTIGUOUS);
        for (int b = 0; b < blocks; b++) {
            HostLayouts.fill(source, b, 17 + b);
        }
        // Scattered pairs, in an order that is neither ascending nor contiguous.
        List<BlockPair> out = List.of(new BlockPair(0, 5), new BlockPair(3, 1), new BlockPair(1, 3), new BlockPair(4, 0));
        boolean mayRefuse = !hasBehavior(Behavior.UNALIGNED_RUNS)
                && (source.layout().runBytes() % c.alignment() != 0 || middle.layout().runBytes() % c.alignment() != 0);
        if (!transferOrRefuse(source, middle, out, mayRefuse)) {
            return;
        }
        List<BlockPair> in = out.stream().map(p -> new BlockPair(p.target(), p.source())).toList();
        if (!transferOrRefuse(middle, back, in, mayRefuse)) {
            return;
        }
        for (BlockPair p : out) {
            assertArrayEquals(HostLayouts.bytes(source, p.source()), HostLayouts.bytes(back, p.source()),
                    "block " + p.source() + " via " + testType + " came back changed");
        }
        assertArrayEquals(new byte[HostLayouts.bytes(back, 2).length], HostLayouts.bytes(back, 2),
                "a block not in the transfer was written");
    }

    @Test
    void anEmptyTransferCompletesAtOnce() {
        LayoutConfig c = geometry(2);
        CompletableFuture<Void> f = engine().transfer(host(c, LayoutType.FULLY_CONTIGUOUS),
                underTest(c, LayoutType.FULLY_CONTIGUOUS), List.of());
        // Checked before any wait: an engine must not queue an empty transfer behind other work.
        assertTrue(f.isDone(), "an empty transfer must be complete when transfer() returns");
        assertFalse(f.isCompletedExceptionally(), "an empty transfer failed");
    }

    @Test
    void anOutOfRangeBlockIsReportedAndNothingElseIsWritten() {
        LayoutConfig c = geometry(3);
        PhysicalLayout source = host(c, LayoutType.FULLY_CONTIGUOUS);
        PhysicalLayout target = underTest(c, LayoutType.FULLY_CONTIGUOUS);
        HostLayouts.fill(source, 0, 5);
        Throwable failure = failure(source, target, List.of(new BlockPair(0, 0), new BlockPair(0, 7)),
                "a transfer to target block 7 of 3");
        assertInstanceOf(KvbmException.class, failure, "an out-of-range target block must fail with KvbmException");
        assertNothingWritten(target, c, 1);
    }

    @Test
    void aGeometryMismatchIsReportedAndNothingIsWritten() {
        LayoutConfig c = geometry(3);
        // Same block count and alignment, half the page bytes: the pages of the two sides do not line up.
        LayoutConfig other = new LayoutConfig(3, c.numLayers(), c.outerDim(), c.pageSize(), c.innerDim() / 2,
                c.alignment(), c.dtypeWidthBytes());
        PhysicalLayout source = host(other, LayoutType.FULLY_CONTIGUOUS);
        PhysicalLayout target = underTest(c, LayoutType.FULLY_CONTIGUOUS);
        HostLayouts.fill(source, 0, 9);
        Throwable failure = failure(source, target, List.of(new BlockPair(0, 0)), "a transfer between two geometries");
        assertInstanceOf(KvbmException.class, failure, "a geometry mismatch must fail with KvbmException");
        assertNothingWritten(target, c, 0);
    }

    @Test
    void aClosedEngineRefusesWorkAndClosesTwice() {
        LayoutConfig c = geometry(2);
        PhysicalLayout source = host(c, LayoutType.FULLY_CONTIGUOUS);
        PhysicalLayout target = underTest(c, LayoutType.FULLY_CONTIGUOUS);
        HostLayouts.fill(source, 0, 3);
        TransferEngine closed = createEngine();
        closed.close();
        closed.close();
        Throwable failure = Waits.failureOf(() -> closed.transfer(source, target, List.of(new BlockPair(0, 0))),
                timeout(), "a transfer on a closed engine");
        assertInstanceOf(KvbmException.class, failure, "a closed engine must refuse with KvbmException");
        assertNothingWritten(target, c, 0);
    }

    @Test
    void concurrentTransfersFromSeveralThreadsStayByteExact() throws Exception {
        assumeTrue(hasBehavior(Behavior.CONCURRENT_TRANSFERS), "no " + Behavior.CONCURRENT_TRANSFERS);
        int threads = 4;
        int blocks = 4;
        LayoutConfig c = geometry(blocks);
        TransferEngine shared = engine();
        List<PhysicalLayout[]> sets = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            PhysicalLayout source = host(c, LayoutType.FULLY_CONTIGUOUS);
            for (int b = 0; b < blocks; b++) {
                HostLayouts.fill(source, b, 1000 * (t + 1) + b);
            }
            sets.add(new PhysicalLayout[] {source, underTest(c, LayoutType.FULLY_CONTIGUOUS),
                    host(c, LayoutType.FULLY_CONTIGUOUS)});
        }
        List<BlockPair> all = List.of(new BlockPair(0, 3), new BlockPair(1, 2), new BlockPair(2, 1), new BlockPair(3, 0));
        List<BlockPair> reversed = all.stream().map(p -> new BlockPair(p.target(), p.source())).toList();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (PhysicalLayout[] set : sets) {
                done.add(callers.submit(() -> {
                    go.await();
                    for (int round = 0; round < 3; round++) {
                        Waits.await(shared.transfer(set[0], set[1], all), timeout(), "a concurrent offload");
                        Waits.await(shared.transfer(set[1], set[2], reversed), timeout(), "a concurrent onboard");
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(timeout().toMillis() * 6, TimeUnit.MILLISECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        for (int t = 0; t < threads; t++) {
            PhysicalLayout[] set = sets.get(t);
            for (int b = 0; b < blocks; b++) {
                assertArrayEquals(HostLayouts.bytes(set[0], b), HostLayouts.bytes(set[2], b),
                        "thread " + t + " block " + b + " came back changed");
            }
        }
    }

    /** Block {@code block} of {@code target} (storage under test) still reads as zeros. */
    private void assertNothingWritten(PhysicalLayout target, LayoutConfig c, int block) {
        PhysicalLayout back = host(c, LayoutType.FULLY_CONTIGUOUS);
        transfer(target, back, List.of(new BlockPair(block, block)));
        byte[] read = HostLayouts.bytes(back, block);
        assertEquals(0, countNonZero(read), "block " + block + " of the storage under test was written by a refused transfer");
    }

    private static int countNonZero(byte[] bytes) {
        int n = 0;
        for (byte b : bytes) {
            if (b != 0) {
                n++;
            }
        }
        return n;
    }

    /** Writes a pattern into every page of {@code block}; see {@link HostLayouts#fill}. */
    protected static void fill(PhysicalLayout layout, int block, int seed) {
        HostLayouts.fill(layout, block, seed);
    }

    /** The block's bytes in (layer, outer) order; see {@link HostLayouts#bytes}. */
    protected static byte[] bytes(PhysicalLayout layout, int block) {
        return HostLayouts.bytes(layout, block);
    }
}
