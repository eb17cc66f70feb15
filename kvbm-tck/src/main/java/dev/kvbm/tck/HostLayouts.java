package dev.kvbm.tck;

import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.layout.MemoryRegion;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared fixtures: host layouts of each type (FullyContiguous, LayerSeparate outer-contiguous and
 * block-contiguous) in {@link TestHostMemory} or in an allocator's storage, and a deterministic byte pattern
 * to fill blocks with and read them back.
 */
public final class HostLayouts {
    /** Dynamo's layout types: fc, ls-outer, ls-block. */
    public static final List<LayoutType> TYPES = List.of(LayoutType.FULLY_CONTIGUOUS,
            LayoutType.LAYER_SEPARATE_OUTER, LayoutType.LAYER_SEPARATE_BLOCK);

    /** Every layout kvbm ships: Dynamo's three and SGLang HiCache's four (page-head needs a head split). */
    public static final List<LayoutType> ALL_TYPES = LayoutType.builtIns();

    private HostLayouts() {
    }

    /** {@code config} laid out as {@code type} in zeroed test host memory of {@code kind}, one region per storage. */
    public static PhysicalLayout allocate(LayoutConfig config, LayoutType type, StorageKind kind) {
        return allocate(config, type, kind, 0);
    }

    /** As {@link #allocate(LayoutConfig, LayoutType, StorageKind)}, each region starting {@code skew} bytes past alignment. */
    public static PhysicalLayout allocate(LayoutConfig config, LayoutType type, StorageKind kind, long skew) {
        BlockLayout layout = BlockLayout.of(config, type);
        List<Storage> storages = new ArrayList<>();
        for (int i = 0; i < layout.numStorageRegions(); i++) {
            storages.add(TestHostMemory.allocate(layout.requiredAllocationSize(), kind, skew));
        }
        return new PhysicalLayout(layout, storages);
    }

    /** {@code config} laid out as {@code type} in regions from {@code allocator}, aligned to {@code alignment}. */
    public static PhysicalLayout allocate(StorageAllocator allocator, LayoutConfig config, LayoutType type, long alignment) {
        BlockLayout layout = BlockLayout.of(config, type);
        List<Storage> storages = new ArrayList<>();
        try {
            for (int i = 0; i < layout.numStorageRegions(); i++) {
                storages.add(allocator.allocate(layout.requiredAllocationSize(), alignment));
            }
            return new PhysicalLayout(layout, storages);
        } catch (RuntimeException e) {
            storages.forEach(Storage::close);
            throw e;
        }
    }

    /**
     * Writes a pattern of (seed, layer, outer, position) into every page of {@code block} (host memory only);
     * positions count in the page's logical order, so a strided page holds the same pattern as a contiguous one.
     */
    public static void fill(PhysicalLayout layout, int block, int seed) {
        LayoutConfig c = layout.layout().config();
        MemorySegment pattern = MemorySegment.ofArray(new byte[Math.toIntExact(c.memoryRegionSize())]);
        for (int l = 0; l < c.numLayers(); l++) {
            for (int o = 0; o < c.outerDim(); o++) {
                for (long i = 0; i + 8 <= pattern.byteSize(); i += 8) {
                    pattern.set(ValueLayout.JAVA_LONG_UNALIGNED, i, seed * 0x9E3779B97F4A7C15L + l * 1_000_003L + o * 7919L + i);
                }
                copyRuns(layout, block, l, o, pattern, true);
            }
        }
    }

    /** The block's bytes in (layer, outer) order, each page in logical order (host memory only). */
    public static byte[] bytes(PhysicalLayout layout, int block) {
        LayoutConfig c = layout.layout().config();
        int region = Math.toIntExact(c.memoryRegionSize());
        byte[] out = new byte[region * c.numLayers() * c.outerDim()];
        int at = 0;
        for (int l = 0; l < c.numLayers(); l++) {
            for (int o = 0; o < c.outerDim(); o++) {
                copyRuns(layout, block, l, o, MemorySegment.ofArray(out).asSlice(at, region), false);
                at += region;
            }
        }
        return out;
    }

    /** Copies {@code page} (the page's bytes in logical order) into the layout's runs, or the runs into it. */
    private static void copyRuns(PhysicalLayout layout, int block, int layer, int outer, MemorySegment page,
                                 boolean intoLayout) {
        MemoryRegion r = layout.layout().memoryRegion(block, layer, outer);
        MemorySegment s = ((HostMemoryStorage) layout.storage(r.storageIndex())).segment();
        long base = layout.baseOffset(r.storageIndex());
        for (int k = 0; k < r.runs(); k++) {
            MemorySegment run = s.asSlice(base + r.runOffset(k), r.runBytes());
            MemorySegment logical = page.asSlice(k * r.runBytes(), r.runBytes());
            if (intoLayout) {
                run.copyFrom(logical);
            } else {
                logical.copyFrom(run);
            }
        }
    }

    /** The page (block, layer, outer) of a host layout as a segment; contiguous pages only. */
    public static MemorySegment page(PhysicalLayout layout, int block, int layer, int outer) {
        MemoryRegion r = layout.layout().memoryRegion(block, layer, outer);
        if (!r.contiguous()) {
            throw new IllegalArgumentException("page (" + block + ", " + layer + ", " + outer + ") of "
                    + layout.layout().type() + " is strided (runs of " + r.runBytes() + " bytes): use fill/bytes");
        }
        MemorySegment s = ((HostMemoryStorage) layout.storage(r.storageIndex())).segment();
        return s.asSlice(layout.offset(block, layer, outer), r.size());
    }
}
