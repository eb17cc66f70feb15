package dev.kvbm.api.layout;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.internal.FullyContiguousLayout;
import dev.kvbm.api.internal.LayerSeparateLayout;

/**
 * The address math of a layout: where each (block, layer, outer) page lives, relative to the aligned
 * start of its storage region. It owns no memory; {@code dev.kvbm.api.spi.PhysicalLayout} binds it
 * to storage.
 *
 * <p>The formulas follow Dynamo's KVBM exactly (see the README's "Layouts" section), so a layout
 * built here addresses the same bytes as Dynamo's for the same tensors.
 */
public sealed interface BlockLayout permits FullyContiguousLayout, LayerSeparateLayout {

    /** Builds the layout of {@code type} over {@code config}; every stride is overflow-checked. */
    static BlockLayout of(LayoutConfig config, LayoutType type) {
        return switch (type) {
            case LayoutType.FullyContiguous fc -> new FullyContiguousLayout(config);
            case LayoutType.LayerSeparate ls -> new LayerSeparateLayout(config, ls.outerContiguous());
        };
    }

    LayoutConfig config();

    LayoutType type();

    /** Storage regions the layout spans: 1 for FullyContiguous, one per layer for LayerSeparate. */
    int numStorageRegions();

    /** Bytes of one page of one outer component of one layer ({@code pageSize * innerDim * dtype}). */
    default long memoryRegionSize() {
        return config().memoryRegionSize();
    }

    /** Distance between the outer components of one layer of one block. */
    long outerStride();

    /** Distance between the layers of one block inside a storage region; 0 for LayerSeparate, whose layers are separate regions. */
    long layerStride();

    /** Distance between consecutive blocks inside a storage region, padded to the alignment. */
    long blockStride();

    /** Bytes from the first block's start to the last block's end in one storage region. */
    long layoutDataBytes();

    /** Bytes to allocate per storage region: {@link #layoutDataBytes()} plus {@code alignment - 1} of slack for aligning the start. */
    long requiredAllocationSize();

    /** True when a whole block is one contiguous run of {@link LayoutConfig#blockDataBytes()} bytes. */
    boolean blockContiguous();

    /**
     * The page of ({@code block}, {@code layer}, {@code outer}). Indices are checked in that order;
     * the first out of range fails naming its kind and value.
     */
    MemoryRegion memoryRegion(int block, int layer, int outer);

    /**
     * Padding between a storage region that starts at {@code address} and its first aligned byte
     * ({@code align_up(address, alignment) - address}); 0 when alignment is 1. File storage starts at
     * offset 0 and so needs none.
     */
    default long baseOffset(long address) {
        long alignment = config().alignment();
        return alignment > 1 ? ((address + alignment - 1) & -alignment) - address : 0;
    }

    /** Checks indices as {@link #memoryRegion} does; for implementations. */
    default void checkIndices(int block, int layer, int outer) {
        LayoutConfig c = config();
        if (block < 0 || block >= c.numBlocks()) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "block",
                    "block index " + block + " out of range 0.." + (c.numBlocks() - 1));
        }
        if (layer < 0 || layer >= c.numLayers()) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "layer",
                    "layer index " + layer + " out of range 0.." + (c.numLayers() - 1));
        }
        if (outer < 0 || outer >= c.outerDim()) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "outer",
                    "outer index " + outer + " out of range 0.." + (c.outerDim() - 1));
        }
    }
}
