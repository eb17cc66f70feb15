package dev.kvbm.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.layout.MemoryRegion;
import dev.kvbm.api.spi.BlockCopies;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.LayoutProvider;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.ProviderNames;
import dev.kvbm.api.spi.StorageKind;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link LayoutProvider}'s layouts must hold, because every engine plans copies from what a layout
 * reports and nothing else: pages never overlap; each lies inside its storage region's data (and so inside
 * the required allocation); block starts honour the alignment; every block has block 0's shape moved by the
 * block stride; runs add up to the page; a block reported contiguous is one run in FullyContiguous order, and a
 * layer reported contiguous is one run in outer order;
 * out-of-range indices fail naming the index kind and value; a geometry too large for 64-bit sizes is refused;
 * and copies planned by {@link BlockCopies} to and from every built-in layout come back byte-exact.
 *
 * <p>A subclass supplies {@link #provider()}; {@link #configs()} may be narrowed for a layout that cannot hold
 * some geometry (every config carries a head split).
 */
public abstract class LayoutContract {

    /** The provider under test. */
    protected abstract LayoutProvider provider();

    /** Geometries to check: K/V and MLA, aligned and not, odd sizes; each with a head split. */
    protected List<LayoutConfig> configs() {
        return List.of(new LayoutConfig(3, 3, 2, 4, 8, 1, 2, 2), new LayoutConfig(3, 2, 1, 4, 8, 64, 2, 4),
                new LayoutConfig(2, 1, 2, 1, 6, 1, 1, 3), new LayoutConfig(4, 2, 2, 3, 10, 4096, 2, 5));
    }

    private BlockLayout layout(LayoutConfig c) {
        BlockLayout l = provider().create(c);
        assertNotNull(l, provider().name() + " built no layout for " + c);
        assertEquals(c, l.config(), "the layout's config");
        return l;
    }

    /** One run of a page: its storage region and byte range, and where it came from. */
    private record Run(int storage, long start, long end, String page) {
    }

    private static List<Run> runs(BlockLayout l) {
        LayoutConfig c = l.config();
        List<Run> runs = new ArrayList<>();
        for (int b = 0; b < c.numBlocks(); b++) {
            for (int la = 0; la < c.numLayers(); la++) {
                for (int o = 0; o < c.outerDim(); o++) {
                    MemoryRegion r = l.memoryRegion(b, la, o);
                    for (int k = 0; k < r.runs(); k++) {
                        runs.add(new Run(r.storageIndex(), r.runOffset(k), r.runOffset(k) + r.runBytes(),
                                "(" + b + "," + la + "," + o + ") run " + k));
                    }
                }
            }
        }
        return runs;
    }

    @Test
    void theProviderNamesItselfAndItsLayouts() {
        assertTrue(ProviderNames.followsConvention(provider().name()), provider().name());
        assertTrue(provider().isAvailable(), "layout math needs no native library");
        BlockLayout l = layout(configs().getFirst());
        assertEquals(provider().name(), l.type().shortName(), "the layout's type names its provider");
        assertEquals(provider().name(), provider().type().shortName());
    }

    @Test
    void noTwoPagesOverlap() {
        for (LayoutConfig c : configs()) {
            List<Run> runs = new ArrayList<>(runs(layout(c)));
            runs.sort(Comparator.comparingInt(Run::storage).thenComparingLong(Run::start));
            for (int i = 1; i < runs.size(); i++) {
                Run a = runs.get(i - 1);
                Run b = runs.get(i);
                assertTrue(a.storage() != b.storage() || a.end() <= b.start(),
                        c + ": page " + a.page() + " [" + a.start() + ", " + a.end() + ") overlaps " + b.page() + " at "
                                + b.start());
            }
        }
    }

    @Test
    void everyPageLiesInsideItsStorageRegion() {
        for (LayoutConfig c : configs()) {
            BlockLayout l = layout(c);
            assertTrue(l.numStorageRegions() >= 1, "storage regions");
            assertEquals(l.layoutDataBytes() + c.alignment() - 1, l.requiredAllocationSize(),
                    c + ": the required size is the data plus alignment slack");
            for (Run r : runs(l)) {
                assertTrue(r.storage() >= 0 && r.storage() < l.numStorageRegions(), c + ": page " + r.page()
                        + " in storage region " + r.storage() + " of " + l.numStorageRegions());
                assertTrue(r.start() >= 0 && r.end() <= l.layoutDataBytes(), c + ": page " + r.page() + " ["
                        + r.start() + ", " + r.end() + ") outside the " + l.layoutDataBytes() + " data bytes");
            }
        }
    }

    @Test
    void runsAddUpToThePage() {
        for (LayoutConfig c : configs()) {
            BlockLayout l = layout(c);
            for (int la = 0; la < c.numLayers(); la++) {
                for (int o = 0; o < c.outerDim(); o++) {
                    MemoryRegion r = l.memoryRegion(0, la, o);
                    assertEquals(c.memoryRegionSize(), r.size(), c + ": page (0," + la + "," + o + ") size");
                    assertEquals(r.size(), r.runBytes() * r.runs(), "runs x run bytes");
                    assertTrue(r.levels() <= 2, "at most two levels");
                    assertEquals(l.runBytes(), r.runBytes(), "every page has the layout's run size");
                }
            }
        }
    }

    @Test
    void blockStartsHonourTheAlignment() {
        for (LayoutConfig c : configs()) {
            BlockLayout l = layout(c);
            assertEquals(0, l.blockStride() % c.alignment(), c + ": block stride " + l.blockStride());
            for (int b = 0; b < c.numBlocks(); b++) {
                long start = Long.MAX_VALUE;
                for (int la = 0; la < c.numLayers(); la++) {
                    for (int o = 0; o < c.outerDim(); o++) {
                        start = Math.min(start, l.memoryRegion(b, la, o).offset());
                    }
                }
                assertEquals(0, start % c.alignment(), c + ": block " + b + " starts at " + start);
            }
        }
    }

    @Test
    void everyBlockIsBlockZeroMovedByTheBlockStride() {
        for (LayoutConfig c : configs()) {
            BlockLayout l = layout(c);
            for (int b = 0; b < c.numBlocks(); b++) {
                for (int la = 0; la < c.numLayers(); la++) {
                    for (int o = 0; o < c.outerDim(); o++) {
                        assertEquals(l.memoryRegion(0, la, o).shifted(b * l.blockStride()), l.memoryRegion(b, la, o),
                                c + ": page (" + b + "," + la + "," + o + ")");
                    }
                }
            }
        }
    }

    @Test
    void aBlockReportedContiguousIsOneRunInFullyContiguousOrder() {
        for (LayoutConfig c : configs()) {
            BlockLayout l = layout(c);
            if (!l.blockContiguous()) {
                continue;
            }
            for (int b = 0; b < c.numBlocks(); b++) {
                long next = l.memoryRegion(b, 0, 0).offset();
                for (int la = 0; la < c.numLayers(); la++) {
                    for (int o = 0; o < c.outerDim(); o++) {
                        MemoryRegion r = l.memoryRegion(b, la, o);
                        assertTrue(r.contiguous() && r.storageIndex() == 0 && r.offset() == next,
                                c + ": block " + b + " is reported contiguous but page (" + la + "," + o + ") is " + r);
                        next += r.size();
                    }
                }
            }
        }
    }

    @Test
    void aLayerReportedContiguousIsOneRunInOuterOrderInEveryBlock() {
        for (LayoutConfig c : configs()) {
            BlockLayout l = layout(c);
            for (int la = 0; la < c.numLayers(); la++) {
                boolean claimed = l.layerContiguous(la);
                if (l.blockContiguous()) {
                    assertTrue(claimed, c + ": a contiguous block's layer " + la + " must be contiguous too");
                }
                if (!claimed) {
                    continue;
                }
                for (int b = 0; b < c.numBlocks(); b++) {
                    MemoryRegion first = l.memoryRegion(b, la, 0);
                    long next = first.offset();
                    for (int o = 0; o < c.outerDim(); o++) {
                        MemoryRegion r = l.memoryRegion(b, la, o);
                        assertTrue(r.contiguous() && r.storageIndex() == first.storageIndex() && r.offset() == next,
                                c + ": layer " + la + " is reported contiguous but page (" + b + "," + la + "," + o
                                        + ") is " + r);
                        next += r.size();
                    }
                }
            }
            int layers = c.numLayers();
            expectIndexFailure(() -> l.layerContiguous(layers), "layer", layers);
        }
    }

    @Test
    void outOfRangeIndicesFailNamingTheIndexKindAndValue() {
        LayoutConfig c = configs().getFirst();
        BlockLayout l = layout(c);
        expectIndexFailure(() -> l.memoryRegion(c.numBlocks(), 0, 0), "block", c.numBlocks());
        expectIndexFailure(() -> l.memoryRegion(-1, 0, 0), "block", -1);
        expectIndexFailure(() -> l.memoryRegion(0, c.numLayers(), 0), "layer", c.numLayers());
        expectIndexFailure(() -> l.memoryRegion(0, 0, c.outerDim()), "outer", c.outerDim());
        expectIndexFailure(() -> l.memoryRegion(0, 0, -2), "outer", -2);
    }

    private static void expectIndexFailure(org.junit.jupiter.api.function.Executable call, String kind, int value) {
        KvbmException e = assertThrows(KvbmException.class, call, kind + " " + value + " must be refused");
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertEquals(kind, e.field().orElse(""), e.getMessage());
        assertTrue(e.getMessage().contains(kind) && e.getMessage().contains(Integer.toString(value)), e.getMessage());
    }

    @Test
    void aGeometryTooLargeFor64BitSizesIsRefused() {
        // Each page fits (4 GiB), one layer of all blocks does not: 2^31 - 1 blocks x 2 x 4 GiB.
        LayoutConfig huge = new LayoutConfig(Integer.MAX_VALUE, 65536, 2, 1 << 15, 1 << 16, 1, 2, 1 << 5);
        KvbmException e = assertThrows(KvbmException.class, () -> provider().create(huge));
        assertEquals(ErrorCode.SIZE_OVERFLOW, e.code(), e.getMessage());
    }

    static Stream<Arguments> builtIns() {
        return HostLayouts.ALL_TYPES.stream().map(t -> Arguments.of(Named.of(t.shortName(), t)));
    }

    /** Copies planned by {@link BlockCopies} and run with {@link MemorySegment#copy}: what every host engine does. */
    private static void copy(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        BlockCopies.prepare(source, target, pairs).forEach((ss, so, ts, to, n) -> MemorySegment.copy(
                ((HostMemoryStorage) source.storage(ss)).segment(), so,
                ((HostMemoryStorage) target.storage(ts)).segment(), to, n));
    }

    @ParameterizedTest(name = "{0} -> under test -> {0}")
    @MethodSource("builtIns")
    void copiesToAndFromEveryBuiltInLayoutAreByteExact(LayoutType other) {
        for (LayoutConfig c : configs()) {
            LayoutType tested = provider().type();
            PhysicalLayout source = HostLayouts.allocate(c, other, StorageKind.SYSTEM, 3);
            PhysicalLayout middle = HostLayouts.allocate(c, tested, StorageKind.SYSTEM, 5);
            PhysicalLayout back = HostLayouts.allocate(c, other, StorageKind.SYSTEM);
            try {
                for (int b = 0; b < c.numBlocks(); b++) {
                    HostLayouts.fill(source, b, 31 + b);
                }
                List<BlockPair> out = new ArrayList<>();
                for (int b = 0; b < c.numBlocks(); b++) {
                    out.add(new BlockPair(b, c.numBlocks() - 1 - b)); // every block, reversed
                }
                copy(source, middle, out);
                copy(middle, back, out.stream().map(p -> new BlockPair(p.target(), p.source())).toList());
                for (int b = 0; b < c.numBlocks(); b++) {
                    assertArrayEquals(HostLayouts.bytes(source, b), HostLayouts.bytes(back, b),
                            c + ": block " + b + " via " + tested + " came back changed");
                }
                // Both sides read the same logical bytes: the layout under test holds block b' as the source's b.
                assertArrayEquals(HostLayouts.bytes(source, 0), HostLayouts.bytes(middle, c.numBlocks() - 1),
                        c + ": the layout under test holds other bytes than " + other);
            } finally {
                source.close();
                middle.close();
                back.close();
            }
        }
    }
}
