package dev.kvbm.api.layout;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.internal.Sizes;

/**
 * The geometry of a set of KV blocks: a block holds {@code pageSize} tokens of {@code numLayers}
 * layers, each split into {@code outerDim} components (2 for K and V, 1 for MLA or fused caches) of
 * {@code innerDim} elements per token, each {@code dtypeWidthBytes} wide.
 *
 * <p>Validated on construction; every byte size derived from it is computed with overflow checks,
 * so a config whose sizes do not fit in 64 bits is refused rather than wrapped.
 *
 * @param numBlocks       blocks in the layout, {@code >= 1}
 * @param numLayers       transformer layers, {@code >= 1}
 * @param outerDim        outer components per layer, {@code 1..2}
 * @param pageSize        tokens per block, {@code >= 1}
 * @param innerDim        elements per token per outer component per layer (heads x head_dim), {@code >= 1}
 * @param alignment       alignment of every block start in bytes, a power of two (default 1)
 * @param dtypeWidthBytes bytes per element (default 2)
 * @param numHeads        the optional head split of {@code innerDim}: {@code innerDim = numHeads x headDim};
 *                        0 (the default) when unknown. Layouts that place heads apart (HiCache's page-head)
 *                        need it.
 */
public record LayoutConfig(int numBlocks, int numLayers, int outerDim, int pageSize, int innerDim,
                           int alignment, int dtypeWidthBytes, int numHeads) {

    public static final int DEFAULT_ALIGNMENT = 1;
    public static final int DEFAULT_DTYPE_WIDTH_BYTES = 2;

    public LayoutConfig {
        atLeastOne("numBlocks", numBlocks);
        atLeastOne("numLayers", numLayers);
        if (outerDim < 1 || outerDim > 2) {
            throw KvbmException.invalid("outerDim", outerDim, "in 1..2 (2 = separate K and V, 1 = MLA or fused)");
        }
        atLeastOne("pageSize", pageSize);
        atLeastOne("innerDim", innerDim);
        if (alignment < 1 || Integer.bitCount(alignment) != 1) {
            throw KvbmException.invalid("alignment", alignment, "a power of two >= 1");
        }
        atLeastOne("dtypeWidthBytes", dtypeWidthBytes);
        if (numHeads < 0 || (numHeads > 0 && innerDim % numHeads != 0)) {
            throw KvbmException.invalid("numHeads", numHeads, "0 (no head split) or a divisor of innerDim " + innerDim);
        }
        // Fail now, not later inside a layout, when the geometry's sizes cannot be represented.
        Sizes.multiply("memoryRegionSize", pageSize, innerDim, dtypeWidthBytes);
    }

    /** A config without a head split. */
    public LayoutConfig(int numBlocks, int numLayers, int outerDim, int pageSize, int innerDim, int alignment,
                        int dtypeWidthBytes) {
        this(numBlocks, numLayers, outerDim, pageSize, innerDim, alignment, dtypeWidthBytes, 0);
    }

    /** A config with the default alignment (1) and dtype width (2 bytes). */
    public static LayoutConfig of(int numBlocks, int numLayers, int outerDim, int pageSize, int innerDim) {
        return new LayoutConfig(numBlocks, numLayers, outerDim, pageSize, innerDim, DEFAULT_ALIGNMENT,
                DEFAULT_DTYPE_WIDTH_BYTES);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Bytes of one page of one outer component of one layer: {@code pageSize * innerDim * dtypeWidthBytes}. */
    public long memoryRegionSize() {
        return Sizes.multiply("memoryRegionSize", pageSize, innerDim, dtypeWidthBytes);
    }

    /** Payload bytes of one whole block, without alignment padding: region size x layers x outer. */
    public long blockDataBytes() {
        return Sizes.multiply("blockDataBytes", memoryRegionSize(), numLayers, outerDim);
    }

    /** Whether {@link #numHeads()} splits the inner dimension. */
    public boolean hasHeads() {
        return numHeads > 0;
    }

    /** Elements per head: {@code innerDim / numHeads}; {@code innerDim} when there is no head split. */
    public int headDim() {
        return numHeads > 0 ? innerDim / numHeads : innerDim;
    }

    /** The same geometry with another block count (tiers share geometry, not size). */
    public LayoutConfig withNumBlocks(int blocks) {
        return new LayoutConfig(blocks, numLayers, outerDim, pageSize, innerDim, alignment, dtypeWidthBytes, numHeads);
    }

    /** The same geometry with another alignment (disk tiers align to the device's logical block size). */
    public LayoutConfig withAlignment(int newAlignment) {
        return new LayoutConfig(numBlocks, numLayers, outerDim, pageSize, innerDim, newAlignment, dtypeWidthBytes,
                numHeads);
    }

    /** The same geometry with {@code heads} heads per token (0: no head split). */
    public LayoutConfig withNumHeads(int heads) {
        return new LayoutConfig(numBlocks, numLayers, outerDim, pageSize, innerDim, alignment, dtypeWidthBytes, heads);
    }

    private static void atLeastOne(String field, int value) {
        if (value < 1) {
            throw KvbmException.invalid(field, value, ">= 1");
        }
    }

    /** Fluent construction with the documented defaults. */
    public static final class Builder {
        private int numBlocks;
        private int numLayers;
        private int outerDim;
        private int pageSize;
        private int innerDim;
        private int alignment = DEFAULT_ALIGNMENT;
        private int dtypeWidthBytes = DEFAULT_DTYPE_WIDTH_BYTES;
        private int numHeads;

        private Builder() {
        }

        public Builder numBlocks(int v) { this.numBlocks = v; return this; }

        public Builder numLayers(int v) { this.numLayers = v; return this; }

        public Builder outerDim(int v) { this.outerDim = v; return this; }

        public Builder pageSize(int v) { this.pageSize = v; return this; }

        public Builder innerDim(int v) { this.innerDim = v; return this; }

        public Builder alignment(int v) { this.alignment = v; return this; }

        public Builder dtypeWidthBytes(int v) { this.dtypeWidthBytes = v; return this; }

        public Builder numHeads(int v) { this.numHeads = v; return this; }

        public LayoutConfig build() {
            return new LayoutConfig(numBlocks, numLayers, outerDim, pageSize, innerDim, alignment, dtypeWidthBytes,
                    numHeads);
        }
    }
}
