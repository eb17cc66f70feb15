package dev.kvbm.api.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.layout.MemoryRegion;

/**
 * SGLang HiCache's host KV layouts (MHA: outer 2 = K and V outermost; MLA: outer 1), all in one storage region.
 * With {@code R = page x inner x dtype} (one page of one layer), {@code t = inner x dtype} (one token of one
 * layer) and {@code h = head_dim x dtype}:
 * <ul>
 *   <li>{@link Kind#LAYER_FIRST} {@code [outer, layers, tokens, heads, head_dim]}, tokens = blocks x page: a page is
 *       one run; blocks {@code R} apart (padded to the alignment), layers a whole layer of blocks apart.</li>
 *   <li>{@link Kind#PAGE_FIRST} {@code [outer, tokens, layers, heads, head_dim]}: per token all layers together, so a
 *       page is {@code page} runs of {@code t} bytes, {@code layers x t} apart.</li>
 *   <li>{@link Kind#PAGE_FIRST_DIRECT} {@code [outer, blocks, layers, page, heads, head_dim]}: per K or V of a block
 *       all layers together; a page is one run.</li>
 *   <li>{@link Kind#PAGE_HEAD} {@code [outer, blocks, heads, page, layers, head_dim]}: a page is runs of {@code h}
 *       bytes, heads {@code page x layers x h} apart (inner level), tokens {@code layers x h} apart (outer level).
 *       Needs the config's head split.</li>
 * </ul>
 * Block starts are aligned: the block stride is padded up to the alignment.
 */
final class HiCacheLayout implements BlockLayout {

    enum Kind { LAYER_FIRST, PAGE_FIRST, PAGE_FIRST_DIRECT, PAGE_HEAD }

    private final LayoutConfig config;
    private final Kind kind;
    private final LayoutType type;
    private final long region;
    private final long outerStride;
    private final long layerStride;
    private final long blockStride;
    private final long layoutDataBytes;
    private final long requiredAllocationSize;
    // Runs of every page: bytes per run and up to two (count, stride) levels, innermost first.
    private final long runBytes;
    private final int innerCount;
    private final long innerStride;
    private final int outerCount;
    private final long outerLevelStride;

    HiCacheLayout(LayoutConfig config, Kind kind, LayoutType type) {
        this.config = config;
        this.kind = kind;
        this.type = type;
        this.region = config.memoryRegionSize();
        long token = Sizes.multiply("tokenBytes", config.innerDim(), config.dtypeWidthBytes());
        long layers = config.numLayers();
        long blockData = Sizes.multiply("blockBytes", region, layers);
        switch (kind) {
            case LAYER_FIRST -> {
                blockStride = aligned(region);
                layerStride = Sizes.multiply("layerStride", blockStride, config.numBlocks());
                outerStride = Sizes.multiply("outerStride", layerStride, layers);
                runBytes = region;
                innerCount = 1;
                innerStride = 0;
            }
            case PAGE_FIRST -> {
                blockStride = aligned(blockData);
                outerStride = Sizes.multiply("outerStride", blockStride, config.numBlocks());
                layerStride = token;
                runBytes = token;
                innerCount = config.pageSize();
                innerStride = Sizes.multiply("tokenStride", token, layers);
            }
            case PAGE_FIRST_DIRECT -> {
                blockStride = aligned(blockData);
                outerStride = Sizes.multiply("outerStride", blockStride, config.numBlocks());
                layerStride = region;
                runBytes = region;
                innerCount = 1;
                innerStride = 0;
            }
            case PAGE_HEAD -> {
                if (!config.hasHeads()) {
                    throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "numHeads", "layout hicache-page-head "
                            + "places each head apart, so it needs the head split of innerDim " + config.innerDim()
                            + " (numHeads >= 1, kvbm layout --heads H)");
                }
                long head = Sizes.multiply("headBytes", config.headDim(), config.dtypeWidthBytes());
                blockStride = aligned(blockData);
                outerStride = Sizes.multiply("outerStride", blockStride, config.numBlocks());
                layerStride = head;
                runBytes = head;
                innerCount = config.numHeads();
                innerStride = Sizes.multiply("headStride", head, config.pageSize(), layers);
            }
            default -> throw new IllegalStateException(kind.name());
        }
        this.outerCount = kind == Kind.PAGE_HEAD ? config.pageSize() : 1;
        this.outerLevelStride = kind == Kind.PAGE_HEAD ? Sizes.multiply("tokenStride", runBytes, layers) : 0;
        // The last page's last byte: every stride is positive, so that is the page at the highest indices.
        MemoryRegion last = page(config.numBlocks() - 1, config.numLayers() - 1, config.outerDim() - 1);
        this.layoutDataBytes = last.end();
        this.requiredAllocationSize = Sizes.add("requiredAllocationSize", layoutDataBytes, config.alignment() - 1L);
    }

    private long aligned(long natural) {
        return Sizes.blockStride(natural, config.alignment());
    }

    private MemoryRegion page(int block, int layer, int outer) {
        long offset = Sizes.add("offset", Sizes.add("offset", Sizes.multiply("offset", block, blockStride),
                Sizes.multiply("offset", layer, layerStride)), Sizes.multiply("offset", outer, outerStride));
        return MemoryRegion.strided(0, offset, runBytes, innerCount, innerStride, outerCount, outerLevelStride);
    }

    @Override
    public LayoutConfig config() {
        return config;
    }

    @Override
    public LayoutType type() {
        return type;
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
        // [blocks, layers, page, inner] with one outer component is FullyContiguous order.
        return kind == Kind.PAGE_FIRST_DIRECT && config.outerDim() == 1;
    }

    @Override
    public MemoryRegion memoryRegion(int block, int layer, int outer) {
        checkIndices(block, layer, outer);
        return page(block, layer, outer);
    }

    @Override
    public String toString() {
        return type.shortName() + config;
    }
}
