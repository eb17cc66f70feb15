package dev.kvbm.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.TransferEngine;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every transfer engine must do, whatever it moves bytes with: copy blocks byte for byte between any
 * two layout types, to and from the storage it serves, with scattered block pairs; complete an empty
 * transfer at once; and report a bad transfer through a {@link KvbmException} (thrown or as the future's
 * cause), never by hanging or corrupting another block.
 *
 * <p>Subclasses supply the engine and two kinds of layout: host memory (the other end of every transfer,
 * readable here) and the storage under test (disk, device, or host again for host engines). Layouts
 * returned are closed by the contract.
 */
public abstract class TransferEngineContract {

    /** Optional capabilities; a test needing one is skipped when {@link #hasBehavior} says no. */
    public enum Behavior {
        /** The storage under test can be laid out LayerSeparate (one region per layer). */
        LAYER_SEPARATE_UNDER_TEST
    }

    private final List<PhysicalLayout> opened = new ArrayList<>();
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

    /** Block geometry: 2 layers x 2 outer x 4 tokens x 512 x 2 bytes (4 KiB pages), aligned to 4096. */
    protected LayoutConfig geometry(int blocks) {
        return new LayoutConfig(blocks, 2, 2, 4, 512, 4096, 2);
    }

    @AfterEach
    void closeContractResources() {
        if (engine != null) {
            engine.close();
        }
        opened.forEach(PhysicalLayout::close);
        opened.clear();
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

    static Stream<Arguments> layoutPairs() {
        List<LayoutType> types = List.of(LayoutType.FULLY_CONTIGUOUS, LayoutType.LAYER_SEPARATE_OUTER,
                LayoutType.LAYER_SEPARATE_BLOCK);
        List<Arguments> out = new ArrayList<>();
        for (LayoutType a : types) {
            for (LayoutType b : types) {
                out.add(Arguments.of(a, b));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "host {0} -> under test {1} -> host")
    @MethodSource("layoutPairs")
    void roundTripIsByteExactForEveryLayoutPair(LayoutType hostType, LayoutType testType) {
        assumeTrue(testType == LayoutType.FULLY_CONTIGUOUS || hasBehavior(Behavior.LAYER_SEPARATE_UNDER_TEST),
                "the storage under test is FullyContiguous only");
        int blocks = 6;
        LayoutConfig c = geometry(blocks);
        PhysicalLayout source = host(c, hostType);
        PhysicalLayout middle = underTest(c, testType);
        PhysicalLayout back = host(c, LayoutType.FULLY_CONTIGUOUS);
        for (int b = 0; b < blocks; b++) {
            fill(source, b, 17 + b);
        }
        // Scattered pairs, in an order that is neither ascending nor contiguous.
        List<BlockPair> out = List.of(new BlockPair(0, 5), new BlockPair(3, 1), new BlockPair(1, 3), new BlockPair(4, 0));
        engine().transfer(source, middle, out).join();
        List<BlockPair> in = out.stream().map(p -> new BlockPair(p.target(), p.source())).toList();
        engine().transfer(middle, back, in).join();
        for (BlockPair p : out) {
            assertArrayEquals(bytes(source, p.source()), bytes(back, p.source()),
                    "block " + p.source() + " via " + testType + " came back changed");
        }
        assertArrayEquals(new byte[bytes(back, 2).length], bytes(back, 2), "a block not in the transfer was written");
    }

    @Test
    void anEmptyTransferCompletesAtOnce() {
        LayoutConfig c = geometry(2);
        CompletableFuture<Void> f = engine().transfer(host(c, LayoutType.FULLY_CONTIGUOUS),
                underTest(c, LayoutType.FULLY_CONTIGUOUS), List.of());
        f.join();
        assertTrue(f.isDone() && !f.isCompletedExceptionally());
    }

    @Test
    void anOutOfRangeBlockIsReportedAndNothingElseIsWritten() {
        LayoutConfig c = geometry(3);
        PhysicalLayout source = host(c, LayoutType.FULLY_CONTIGUOUS);
        PhysicalLayout target = underTest(c, LayoutType.FULLY_CONTIGUOUS);
        fill(source, 0, 5);
        Throwable failure = null;
        try {
            engine().transfer(source, target, List.of(new BlockPair(0, 0), new BlockPair(0, 7))).join();
        } catch (CompletionException e) {
            failure = e.getCause();
        } catch (KvbmException e) {
            failure = e;
        }
        assertInstanceOf(KvbmException.class, failure, "an out-of-range target block must fail with KvbmException");
        PhysicalLayout back = host(c, LayoutType.FULLY_CONTIGUOUS);
        engine().transfer(target, back, List.of(new BlockPair(1, 1))).join();
        assertArrayEquals(new byte[bytes(back, 1).length], bytes(back, 1), "an untouched block changed");
    }

    /** Writes a pattern of (seed, layer, outer, position) into every page of {@code block}. */
    protected static void fill(PhysicalLayout layout, int block, int seed) {
        LayoutConfig c = layout.layout().config();
        for (int l = 0; l < c.numLayers(); l++) {
            for (int o = 0; o < c.outerDim(); o++) {
                MemorySegment page = page(layout, block, l, o);
                for (long i = 0; i + 8 <= page.byteSize(); i += 8) {
                    page.set(ValueLayout.JAVA_LONG_UNALIGNED, i, seed * 0x9E3779B97F4A7C15L + l * 1_000_003L + o * 7919L + i);
                }
            }
        }
    }

    /** The block's bytes in (layer, outer) order. */
    protected static byte[] bytes(PhysicalLayout layout, int block) {
        LayoutConfig c = layout.layout().config();
        int region = (int) c.memoryRegionSize();
        byte[] out = new byte[region * c.numLayers() * c.outerDim()];
        int at = 0;
        for (int l = 0; l < c.numLayers(); l++) {
            for (int o = 0; o < c.outerDim(); o++) {
                MemorySegment.copy(page(layout, block, l, o), ValueLayout.JAVA_BYTE, 0, out, at, region);
                at += region;
            }
        }
        return out;
    }

    private static MemorySegment page(PhysicalLayout layout, int block, int layer, int outer) {
        int storage = layout.layout().memoryRegion(block, layer, outer).storageIndex();
        MemorySegment s = ((HostMemoryStorage) layout.storage(storage)).segment();
        return s.asSlice(layout.offset(block, layer, outer), layout.layout().config().memoryRegionSize());
    }
}
