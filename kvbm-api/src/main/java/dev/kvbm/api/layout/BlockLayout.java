package dev.kvbm.api.layout;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;

/**
 * The address math of a layout: where each (block, layer, outer) page lives, relative to the aligned
 * start of its storage region. It owns no memory; {@code dev.kvbm.api.spi.PhysicalLayout} binds it
 * to storage. Layouts are built by a {@link dev.kvbm.api.spi.LayoutProvider}.
 *
 * <p>The built-in formulas follow Dynamo's KVBM exactly (see the README's "Layouts" section), so a layout
 * built here addresses the same bytes as Dynamo's for the same tensors.
 *
 * <p>What engines rely on, and the test kit's {@code LayoutContract} checks: pages never overlap and lie inside
 * {@link #layoutDataBytes()} of their storage region; every block has the same shape, so page
 * ({@code b}, {@code l}, {@code o}) is page (0, {@code l}, {@code o}) moved {@code b x blockStride()} bytes
 * within the same storage region; a page's bytes, in logical order {@code [page tokens, heads, head_dim]}, are
 * the runs its {@link MemoryRegion} describes. Engines plan copies from these runs only, never from the kind.
 */
public interface BlockLayout {

    /** Builds the layout of {@code type} over {@code config} through its provider; every stride is overflow-checked. */
    static BlockLayout of(LayoutConfig config, LayoutType type) {
        if (config == null || type == null) {
            throw KvbmException.invalid(config == null ? "config" : "layoutType", null, "given");
        }
        BlockLayout layout = type.provider().create(config, type.parameters());
        if (layout == null || !config.equals(layout.config())) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "layout provider '" + type.shortName()
                    + "' returned " + (layout == null ? "no layout" : "a layout of another config " + layout.config()));
        }
        return layout;
    }

    LayoutConfig config();

    LayoutType type();

    /** Storage regions the layout spans: 1 for FullyContiguous and HiCache, one per layer for LayerSeparate. */
    int numStorageRegions();

    /** Bytes of one page of one outer component of one layer ({@code pageSize * innerDim * dtype}). */
    default long memoryRegionSize() {
        return config().memoryRegionSize();
    }

    /** Distance between the first bytes of the outer components of one layer of one block. */
    long outerStride();

    /** Distance between the first bytes of the layers of one block inside a storage region; 0 for LayerSeparate, whose layers are separate regions. */
    long layerStride();

    /** Distance between consecutive blocks inside a storage region, padded to the alignment. */
    long blockStride();

    /**
     * Bytes of one contiguous run of every page ({@link MemoryRegion#runBytes()}): the whole page when pages are
     * contiguous. Default: read from page (0, 0, 0).
     */
    default long runBytes() {
        return memoryRegion(0, 0, 0).runBytes();
    }

    /** Bytes from the first block's start to the last block's end in one storage region. */
    long layoutDataBytes();

    /** Bytes to allocate per storage region: {@link #layoutDataBytes()} plus {@code alignment - 1} of slack for aligning the start. */
    long requiredAllocationSize();

    /**
     * True when a whole block is one contiguous run of {@link LayoutConfig#blockDataBytes()} bytes holding its pages
     * in FullyContiguous order (layer, outer, page), so a block can be copied as one piece to or from any such layout.
     */
    boolean blockContiguous();

    /**
     * True when one layer of a block is one contiguous run: its outer pages are each one run, in one storage region,
     * each starting where the previous ends (outer order), so a per-layer copy (a layer-wise onboard) can move
     * {@code outerDim x memoryRegionSize()} bytes as one piece. Every block has block 0's shape (the block stride
     * rule), so the answer holds for every block. Default: read from block 0's pages.
     *
     * @throws dev.kvbm.api.KvbmException naming {@code layer} when it is out of range
     */
    default boolean layerContiguous(int layer) {
        checkIndices(0, layer, 0);
        MemoryRegion first = memoryRegion(0, layer, 0);
        long next = first.offset();
        for (int o = 0; o < config().outerDim(); o++) {
            MemoryRegion r = memoryRegion(0, layer, o);
            if (!r.contiguous() || r.storageIndex() != first.storageIndex() || r.offset() != next) {
                return false;
            }
            next += r.size();
        }
        return true;
    }

    /**
     * The page of ({@code block}, {@code layer}, {@code outer}), as runs when it is strided. Indices are checked in
     * that order; the first out of range fails naming its kind and value.
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
