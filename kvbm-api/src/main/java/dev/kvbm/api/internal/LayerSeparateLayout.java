package dev.kvbm.api.internal;

import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.layout.MemoryRegion;

/**
 * One region per layer. Outer-contiguous: {@code [outer, blocks, page, inner]}, each page aligned.
 * Block-contiguous: {@code [blocks, outer, page, inner]}, each block aligned.
 */
public final class LayerSeparateLayout implements BlockLayout {
    private final LayoutConfig config;
    private final boolean outerContiguous;
    private final long outerStride;
    private final long blockStride;
    private final long layoutDataBytes;
    private final long requiredAllocationSize;

    public LayerSeparateLayout(LayoutConfig config, boolean outerContiguous) {
        this.config = config;
        this.outerContiguous = outerContiguous;
        long region = config.memoryRegionSize();
        if (outerContiguous) {
            this.blockStride = aligned(region);
            this.outerStride = Sizes.multiply("outerStride", blockStride, config.numBlocks());
            this.layoutDataBytes = Sizes.multiply("layoutDataBytes", outerStride, config.outerDim());
        } else {
            this.outerStride = region;
            this.blockStride = aligned(Sizes.multiply("blockStride", region, config.outerDim()));
            this.layoutDataBytes = Sizes.multiply("layoutDataBytes", blockStride, config.numBlocks());
        }
        this.requiredAllocationSize = Sizes.add("requiredAllocationSize", layoutDataBytes, config.alignment() - 1L);
    }

    private long aligned(long natural) {
        return Sizes.blockStride(natural, config.alignment());
    }

    @Override
    public LayoutConfig config() {
        return config;
    }

    @Override
    public LayoutType type() {
        return outerContiguous ? LayoutType.LAYER_SEPARATE_OUTER : LayoutType.LAYER_SEPARATE_BLOCK;
    }

    @Override
    public int numStorageRegions() {
        return config.numLayers();
    }

    @Override
    public long outerStride() {
        return outerStride;
    }

    @Override
    public long layerStride() {
        return 0;
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
        return false;
    }

    @Override
    public MemoryRegion memoryRegion(int block, int layer, int outer) {
        checkIndices(block, layer, outer);
        return new MemoryRegion(layer, block * blockStride + outer * outerStride, config.memoryRegionSize());
    }

    @Override
    public String toString() {
        return "LayerSeparate(outerContiguous=" + outerContiguous + ")" + config;
    }
}
