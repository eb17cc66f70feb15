package dev.kvbm.api.layout;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.util.Arrays;
import java.util.List;

/**
 * Reads an engine's KV cache tensors (their shapes) into a layout: which {@link LayoutType}, how many
 * layers, the outer and inner dimensions.
 *
 * <ul>
 *   <li>FullyContiguous: one tensor {@code [blocks, layers, outer, page, inner...]}.</li>
 *   <li>LayerSeparate, one tensor per layer: {@code [outer, blocks, page, inner...]} when outer-contiguous,
 *       else {@code [blocks, outer, page, inner...]}.</li>
 *   <li>MLA caches ({@code [blocks, page, latent]} per layer, or {@code [blocks, layers, page, latent]}):
 *       where the outer dimension would be read from a dimension above 2, there is no K/V split, so
 *       {@code outerDim = 1} and every dimension after the block (and layer) dimension is inner data.
 *       Dynamo's mainline refuses these tensors (its PR #7341 adds the same rule).</li>
 * </ul>
 */
public final class TensorLayouts {

    private TensorLayouts() {
    }

    /** What the shapes say about the cache. {@code mla} is true when the MLA reading was applied. */
    public record Inferred(LayoutType type, int numLayers, int outerDim, int innerDim, boolean mla) {

        /** The layout config of {@code numBlocks} blocks of this geometry. */
        public LayoutConfig toLayoutConfig(int numBlocks, int pageSize, int dtypeWidthBytes) {
            return new LayoutConfig(numBlocks, numLayers, outerDim, pageSize, innerDim,
                    LayoutConfig.DEFAULT_ALIGNMENT, dtypeWidthBytes);
        }
    }

    /**
     * Infers the layout of {@code shapes} (all the engine's KV tensors, in layer order).
     *
     * @param explicitType the layout the caller knows the tensors have, or null to detect it
     */
    public static Inferred infer(List<long[]> shapes, int numDeviceBlocks, int pageSize, LayoutType explicitType) {
        if (shapes == null || shapes.isEmpty()) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "tensors", "no KV cache tensors given");
        }
        if (numDeviceBlocks < 1) {
            throw KvbmException.invalid("numDeviceBlocks", numDeviceBlocks, "> 0");
        }
        if (pageSize < 1) {
            throw KvbmException.invalid("pageSize", pageSize, ">= 1");
        }
        long[] first = shapes.getFirst();
        for (int i = 0; i < shapes.size(); i++) {
            long[] s = shapes.get(i);
            if (!Arrays.equals(s, first)) {
                throw argument("tensors", "tensor " + i + " has shape " + Arrays.toString(s) + " but tensor 0 has "
                        + Arrays.toString(first) + ": every KV tensor must have the same shape");
            }
        }
        if (first.length < 3) {
            throw argument("shape", "KV tensor shape " + Arrays.toString(first)
                    + " has fewer than 3 dimensions (expected blocks, page, inner at least)");
        }
        for (long d : first) {
            if (d < 1) {
                throw argument("shape", "KV tensor shape " + Arrays.toString(first) + " has a dimension < 1");
            }
        }
        LayoutType type = explicitType != null ? explicitType : LayoutType.autoDetect(shapes.size(), first, numDeviceBlocks);
        return switch (type) {
            case LayoutType.FullyContiguous fc -> fullyContiguous(shapes.size(), first, numDeviceBlocks, pageSize);
            case LayoutType.LayerSeparate ls -> layerSeparate(ls, shapes.size(), first, numDeviceBlocks, pageSize);
            case LayoutType.Provided p -> throw argument("layoutType", "engine KV tensors are read as fc, ls-outer or "
                    + "ls-block; layout '" + p.shortName() + "' is a host layout");
        };
    }

    private static Inferred fullyContiguous(int tensors, long[] shape, int numDeviceBlocks, int pageSize) {
        if (tensors != 1) {
            throw argument("tensors", "a FullyContiguous cache is one tensor [blocks, layers, outer, page, inner...], got "
                    + tensors + " tensors");
        }
        requireBlocks(shape, 0, numDeviceBlocks);
        int layers = toInt("numLayers", shape[1], shape);
        long candidateOuter = shape[2];
        if (candidateOuter > 2) { // MLA: [blocks, layers, page, latent...]
            return new Inferred(LayoutType.FULLY_CONTIGUOUS, layers, 1, inner(shape, 2, pageSize), true);
        }
        return new Inferred(LayoutType.FULLY_CONTIGUOUS, layers, (int) candidateOuter, inner(shape, 3, pageSize), false);
    }

    private static Inferred layerSeparate(LayoutType.LayerSeparate type, int tensors, long[] shape, int numDeviceBlocks,
                                          int pageSize) {
        if (type.outerContiguous()) { // [outer, blocks, page, inner...]
            requireBlocks(shape, 1, numDeviceBlocks);
            if (shape[0] > 2) {
                throw argument("shape", "outer-contiguous KV tensor " + Arrays.toString(shape)
                        + " has outer dimension " + shape[0] + "; it must be in 1..2");
            }
            return new Inferred(type, tensors, (int) shape[0], inner(shape, 2, pageSize), false);
        }
        requireBlocks(shape, 0, numDeviceBlocks); // [blocks, outer, page, inner...]
        if (shape[1] > 2) { // MLA: [blocks, page, latent...]
            return new Inferred(type, tensors, 1, inner(shape, 1, pageSize), true);
        }
        return new Inferred(type, tensors, (int) shape[1], inner(shape, 2, pageSize), false);
    }

    /** {@code prod(shape[from..]) / pageSize}, which must divide exactly. */
    private static int inner(long[] shape, int from, int pageSize) {
        long elements = 1;
        for (int i = from; i < shape.length; i++) {
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException e) {
                throw argument("shape", "KV tensor shape " + Arrays.toString(shape) + " overflows 64 bits");
            }
        }
        if (elements % pageSize != 0) {
            throw argument("shape", "KV tensor shape " + Arrays.toString(shape) + ": the " + elements
                    + " elements per block and outer component are not divisible by pageSize " + pageSize);
        }
        return toInt("innerDim", elements / pageSize, shape);
    }

    private static void requireBlocks(long[] shape, int dim, int numDeviceBlocks) {
        if (shape[dim] < numDeviceBlocks) {
            throw argument("shape", "KV tensor shape " + Arrays.toString(shape) + " holds " + shape[dim]
                    + " blocks in dimension " + dim + " but numDeviceBlocks is " + numDeviceBlocks);
        }
    }

    private static int toInt(String what, long value, long[] shape) {
        if (value > Integer.MAX_VALUE) {
            throw argument("shape", what + " " + value + " read from " + Arrays.toString(shape) + " exceeds "
                    + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    private static KvbmException argument(String field, String message) {
        return KvbmException.forField(ErrorCode.INVALID_ARGUMENT, field, message);
    }
}
