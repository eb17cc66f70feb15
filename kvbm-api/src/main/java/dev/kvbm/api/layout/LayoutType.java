package dev.kvbm.api.layout;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.util.Arrays;

/**
 * How the blocks of a layout are placed in memory.
 *
 * <ul>
 *   <li>{@link FullyContiguous}: one storage region shaped {@code [blocks, layers, outer, page, inner]};
 *       a whole block is one contiguous run.</li>
 *   <li>{@link LayerSeparate}: one storage region per layer, shaped {@code [outer, blocks, page, inner]}
 *       when {@code outerContiguous}, else {@code [blocks, outer, page, inner]}.</li>
 * </ul>
 */
public sealed interface LayoutType {

    FullyContiguous FULLY_CONTIGUOUS = new FullyContiguous();
    LayerSeparate LAYER_SEPARATE_OUTER = new LayerSeparate(true);
    LayerSeparate LAYER_SEPARATE_BLOCK = new LayerSeparate(false);

    /** The short name used on the command line: {@code fc}, {@code ls-outer} or {@code ls-block}. */
    String shortName();

    record FullyContiguous() implements LayoutType {
        @Override
        public String shortName() {
            return "fc";
        }
    }

    record LayerSeparate(boolean outerContiguous) implements LayoutType {
        @Override
        public String shortName() {
            return outerContiguous ? "ls-outer" : "ls-block";
        }
    }

    /** Parses a {@link #shortName()}. */
    static LayoutType parse(String text) {
        return switch (text) {
            case "fc" -> FULLY_CONTIGUOUS;
            case "ls-outer" -> LAYER_SEPARATE_OUTER;
            case "ls-block" -> LAYER_SEPARATE_BLOCK;
            default -> throw KvbmException.invalid("layoutType", text, "one of fc, ls-outer, ls-block");
        };
    }

    /**
     * Picks the LayerSeparate kind from one per-layer tensor shape, as Dynamo does: a leading
     * dimension that can hold every block means block-first ({@code [blocks, outer, ...]}), else a
     * second dimension that can means outer-first. Ambiguous when {@code outerDim >= numDeviceBlocks};
     * the block-first reading wins then, as upstream.
     */
    static LayerSeparate layerSeparateAuto(long[] shape, int numDeviceBlocks) {
        if (shape.length >= 1 && shape[0] >= numDeviceBlocks) {
            return LAYER_SEPARATE_BLOCK;
        }
        if (shape.length >= 2 && shape[1] >= numDeviceBlocks) {
            return LAYER_SEPARATE_OUTER;
        }
        throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "shape",
                "unsupported KV cache tensor shape " + Arrays.toString(shape) + ": neither dimension 0 nor 1 holds "
                        + numDeviceBlocks + " blocks");
    }

    /**
     * Detects the layout of an engine's KV tensors: a single tensor whose first dimension holds the
     * blocks and whose second looks like a layer count (2..200) is FullyContiguous; anything else is
     * LayerSeparate as {@link #layerSeparateAuto} decides.
     */
    static LayoutType autoDetect(int numTensors, long[] firstShape, int numDeviceBlocks) {
        if (numTensors == 1 && firstShape.length >= 2 && firstShape[0] >= numDeviceBlocks
                && firstShape[1] >= 2 && firstShape[1] <= 200) {
            return FULLY_CONTIGUOUS;
        }
        return layerSeparateAuto(firstShape, numDeviceBlocks);
    }
}
