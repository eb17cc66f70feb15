package dev.kvbm.api.layout;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.internal.BuiltInLayouts;
import dev.kvbm.api.spi.LayoutProvider;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How the blocks of a layout are placed in memory.
 *
 * <ul>
 *   <li>{@link FullyContiguous}: one storage region shaped {@code [blocks, layers, outer, page, inner]};
 *       a whole block is one contiguous run.</li>
 *   <li>{@link LayerSeparate}: one storage region per layer, shaped {@code [outer, blocks, page, inner]}
 *       when {@code outerContiguous}, else {@code [blocks, outer, page, inner]}.</li>
 *   <li>{@link Provided}: any other {@link LayoutProvider}'s layout, by name (kvbm's SGLang HiCache layouts, a
 *       third party's); the core's registry resolves names to providers.</li>
 * </ul>
 *
 * <p>Every type names the provider that builds its layout: {@link BlockLayout#of} asks it, and never switches
 * on the kind.
 */
public sealed interface LayoutType {

    FullyContiguous FULLY_CONTIGUOUS = new FullyContiguous();
    LayerSeparate LAYER_SEPARATE_OUTER = new LayerSeparate(true);
    LayerSeparate LAYER_SEPARATE_BLOCK = new LayerSeparate(false);

    /** The short name used on the command line ({@code fc}, {@code ls-outer}, {@code ls-block}...): the provider's name. */
    String shortName();

    /** The provider that builds layouts of this type. */
    LayoutProvider provider();

    /** The provider's own parameters (empty for every built-in). */
    default Map<String, String> parameters() {
        return Map.of();
    }

    record FullyContiguous() implements LayoutType {
        @Override
        public String shortName() {
            return "fc";
        }

        @Override
        public LayoutProvider provider() {
            return BuiltInLayouts.FULLY_CONTIGUOUS;
        }
    }

    record LayerSeparate(boolean outerContiguous) implements LayoutType {
        @Override
        public String shortName() {
            return outerContiguous ? "ls-outer" : "ls-block";
        }

        @Override
        public LayoutProvider provider() {
            return outerContiguous ? BuiltInLayouts.LAYER_SEPARATE_OUTER : BuiltInLayouts.LAYER_SEPARATE_BLOCK;
        }
    }

    /**
     * The layout of any other provider. Equal when the names and parameters are: two loads of one provider
     * name one type.
     */
    record Provided(String shortName, LayoutProvider provider, Map<String, String> parameters) implements LayoutType {
        public Provided {
            if (provider == null) {
                throw KvbmException.invalid("provider", null, "a layout provider");
            }
            shortName = provider.name();
            parameters = Map.copyOf(parameters == null ? Map.of() : parameters);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Provided p && p.shortName.equals(shortName) && p.parameters.equals(parameters);
        }

        @Override
        public int hashCode() {
            return shortName.hashCode() * 31 + parameters.hashCode();
        }

        @Override
        public String toString() {
            return parameters.isEmpty() ? shortName : shortName + parameters;
        }
    }

    /** The type of {@code provider}'s layout with {@code parameters}. */
    static LayoutType provided(LayoutProvider provider, Map<String, String> parameters) {
        return new Provided(null, provider, parameters);
    }

    /**
     * The types of every layout kvbm ships, in listing order: {@code fc}, {@code ls-outer}, {@code ls-block} and
     * the SGLang HiCache host layouts. The registry finds the same providers (and third parties') by name.
     */
    static List<LayoutType> builtIns() {
        return BuiltInLayouts.TYPES;
    }

    /** Parses one of Dynamo's three names (a device layout); the registry resolves every provider's name. */
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
