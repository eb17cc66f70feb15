package dev.kvbm.api.spi;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutConfig;
import java.util.Objects;

/**
 * The shape of an engine's KV cache per token, as the engine reports it: {@code layers} layers, each
 * with {@code outer} components (2 = K and V) of {@code inner} elements (KV heads x head dim) of
 * {@code dtypeBytes} bytes. With kvbm's page size it becomes a block geometry.
 *
 * @param dtype a name for the element type as the engine calls it ({@code f16}, {@code f32}, ...)
 */
public record KvGeometry(int layers, int outer, int inner, int dtypeBytes, String dtype) {

    public KvGeometry {
        if (layers < 1) {
            throw KvbmException.invalid("layers", layers, ">= 1");
        }
        if (outer < 1 || outer > 2) {
            throw KvbmException.invalid("outer", outer, "1 (MLA) or 2 (K and V)");
        }
        if (inner < 1) {
            throw KvbmException.invalid("inner", inner, ">= 1");
        }
        if (dtypeBytes < 1 || dtypeBytes > 8) {
            throw KvbmException.invalid("dtypeBytes", dtypeBytes, "in 1..8");
        }
        Objects.requireNonNull(dtype, "dtype");
    }

    /** Bytes of one token's KV over every layer and component. */
    public long bytesPerToken() {
        return (long) layers * outer * inner * dtypeBytes;
    }

    /** The block geometry of {@code numBlocks} blocks of {@code pageSize} tokens. */
    public LayoutConfig layout(int numBlocks, int pageSize) {
        return LayoutConfig.builder().numBlocks(numBlocks).numLayers(layers).outerDim(outer).pageSize(pageSize)
                .innerDim(inner).dtypeWidthBytes(dtypeBytes).build();
    }

    /**
     * Fails with a message naming every field that differs when a block geometry does not hold this KV.
     */
    public void requireMatches(LayoutConfig config) {
        StringBuilder diff = new StringBuilder();
        if (config.numLayers() != layers) {
            diff.append(" layers ").append(config.numLayers()).append(" vs the model's ").append(layers).append(';');
        }
        if (config.outerDim() != outer) {
            diff.append(" outer ").append(config.outerDim()).append(" vs the model's ").append(outer).append(';');
        }
        if (config.innerDim() != inner) {
            diff.append(" inner ").append(config.innerDim()).append(" vs the model's ").append(inner).append(';');
        }
        if (config.dtypeWidthBytes() != dtypeBytes) {
            diff.append(" dtype bytes ").append(config.dtypeWidthBytes()).append(" vs the model's ")
                    .append(dtypeBytes).append(" (").append(dtype).append(");");
        }
        if (!diff.isEmpty()) {
            throw KvbmException.invalid("geometry", config.numLayers() + "x" + config.outerDim() + "x"
                    + config.innerDim() + "x" + config.dtypeWidthBytes() + "B",
                    "the model's KV geometry:" + diff.substring(0, diff.length() - 1));
        }
    }
}
