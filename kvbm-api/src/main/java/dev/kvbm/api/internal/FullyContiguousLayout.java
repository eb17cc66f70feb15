package dev.kvbm.api.internal;

import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.layout.MemoryRegion;

/** {@code [blocks, layers, outer, page, inner]} in one region; only block starts are aligned. */
public final class FullyContiguousLayout implements BlockLayout {
    private final LayoutConfig config;
    private final long outerStride;
    private final long layerStride;
    private final long blockStride;
    private final long layoutDataBytes;
    private final long requiredAllocationSize;

    public FullyContiguousLayout(LayoutConfig config) {
        this.config = config;
        this.outerStride = config.memoryRegionSize();
        this.layerStride = Sizes.multiply("layerStride", outerStride, config.outerDim());
        long naturalBlock = Sizes.multiply("blockDataBytes", layerStride, config.numLayers());
        this.blockStride = Sizes.blockStride(naturalBlock, config.alignment());
        this.layoutDataBytes = Sizes.add("layoutDataBytes",
                Sizes.multiply("layoutDataBytes", config.numBlocks() - 1L, blockStride), naturalBlock);
        this.requiredAllocationSize = Sizes.add("requiredAllocationSize", layoutDataBytes, config.alignment() - 1L);
    }

    @Override
    public LayoutConfig config() {
        return config;
    }

    @Override
    public LayoutType type() {
        return LayoutType.FULLY_CONTIGUOUS;
    }

    @Override
    public int numStorageRegions() {
        return 1;
    }

    @Override
    public long outerStride() {
        return outerStride;
    }

    @Override
    public long layerStride() {
        return layerStride;
    }

    @Override
    public long blockStride() {
        return blockStride;
    }

    @Override
    public long layoutDataBytes() {
        return layoutDataBytes;
    }

    @Override
    public long requiredAllocationSize() {
        return requiredAllocationSize;
    }

    @Override
    public boolean blockContiguous() {
        return true;
    }

    @Override
    public MemoryRegion memoryRegion(int block, int layer, int outer) {
        checkIndices(block, layer, outer);
        long offset = block * blockStride + layer * layerStride + outer * outerStride;
        return new MemoryRegion(0, offset, outerStride);
    }

    @Override
    public String toString() {
        return "FullyContiguous" + config;
    }
}
