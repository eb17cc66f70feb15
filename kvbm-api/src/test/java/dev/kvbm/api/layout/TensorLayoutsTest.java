package dev.kvbm.api.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorLayoutsTest {

    private static List<long[]> layers(int n, long... shape) {
        return Collections.nCopies(n, shape);
    }

    @Test
    void fullyContiguousSingleTensor() {
        // [blocks, layers, outer, page, heads, head_dim]
        TensorLayouts.Inferred i = TensorLayouts.infer(List.of(new long[] {100, 32, 2, 16, 8, 128}), 100, 16, null);
        assertEquals(LayoutType.FULLY_CONTIGUOUS, i.type());
        assertEquals(32, i.numLayers());
        assertEquals(2, i.outerDim());
        assertEquals(8 * 128, i.innerDim());
        assertFalse(i.mla());
        LayoutConfig c = i.toLayoutConfig(100, 16, 2);
        assertEquals(32L * 2 * 16 * 1024 * 2, c.blockDataBytes());
    }

    @Test
    void layerSeparateBlockFirstIsDetectedFromTheLeadingDimension() {
        // vLLM's per-layer [blocks, 2, page, heads, head_dim]
        TensorLayouts.Inferred i = TensorLayouts.infer(layers(28, 512, 2, 16, 4, 64), 512, 16, null);
        assertEquals(LayoutType.LAYER_SEPARATE_BLOCK, i.type());
        assertEquals(28, i.numLayers());
        assertEquals(2, i.outerDim());
        assertEquals(256, i.innerDim());
    }

    @Test
    void layerSeparateOuterFirstIsDetectedFromTheSecondDimension() {
        // per-layer [2, blocks, page, heads*head_dim]
        TensorLayouts.Inferred i = TensorLayouts.infer(layers(4, 2, 512, 16, 256), 512, 16, null);
        assertEquals(LayoutType.LAYER_SEPARATE_OUTER, i.type());
        assertEquals(4, i.numLayers());
        assertEquals(2, i.outerDim());
        assertEquals(256, i.innerDim());
    }

    @Test
    void mlaPerLayerTensorsGiveOuterDimOne() {
        // DeepSeek-style [blocks, page 64, latent 576]: the candidate outer dimension (64) is above 2.
        TensorLayouts.Inferred i = TensorLayouts.infer(layers(61, 1000, 64, 576), 1000, 64, null);
        assertEquals(LayoutType.LAYER_SEPARATE_BLOCK, i.type());
        assertTrue(i.mla());
        assertEquals(61, i.numLayers());
        assertEquals(1, i.outerDim());
        assertEquals(576, i.innerDim());
        assertEquals(61L * 64 * 576 * 2, i.toLayoutConfig(1000, 64, 2).blockDataBytes());
    }

    @Test
    void mlaSingleTensorGivesOuterDimOne() {
        TensorLayouts.Inferred i = TensorLayouts.infer(List.of(new long[] {100, 61, 64, 576}), 100, 64,
                LayoutType.FULLY_CONTIGUOUS);
        assertTrue(i.mla());
        assertEquals(1, i.outerDim());
        assertEquals(576, i.innerDim());
        assertEquals(61, i.numLayers());
    }

    @Test
    void explicitTypeIsUsedAsGiven() {
        TensorLayouts.Inferred i = TensorLayouts.infer(layers(2, 2, 10, 4, 8), 10, 4, LayoutType.LAYER_SEPARATE_OUTER);
        assertEquals(LayoutType.LAYER_SEPARATE_OUTER, i.type());
        assertEquals(8, i.innerDim());
    }

    @Test
    void tensorsOfDifferentShapesAreRefused() {
        KvbmException e = assertThrows(KvbmException.class,
                () -> TensorLayouts.infer(List.of(new long[] {10, 2, 4, 8}, new long[] {10, 2, 4, 16}), 10, 4, null));
        assertEquals("tensor 1 has shape [10, 2, 4, 16] but tensor 0 has [10, 2, 4, 8]: every KV tensor must have the "
                + "same shape", e.getMessage());
    }

    @Test
    void fewerThanThreeDimensionsAreRefused() {
        KvbmException e = assertThrows(KvbmException.class, () -> TensorLayouts.infer(layers(2, 10, 64), 10, 4, null));
        assertEquals("KV tensor shape [10, 64] has fewer than 3 dimensions (expected blocks, page, inner at least)",
                e.getMessage());
    }

    @Test
    void innerSizeNotDivisibleByPageSizeIsRefused() {
        KvbmException e = assertThrows(KvbmException.class, () -> TensorLayouts.infer(layers(2, 10, 2, 6, 5), 10, 4, null));
        assertEquals("KV tensor shape [10, 2, 6, 5]: the 30 elements per block and outer component are not divisible "
                + "by pageSize 4", e.getMessage());
    }

    @Test
    void outerContiguousWithOuterAboveTwoIsRefused() {
        KvbmException e = assertThrows(KvbmException.class,
                () -> TensorLayouts.infer(layers(2, 3, 10, 4, 8), 10, 4, LayoutType.LAYER_SEPARATE_OUTER));
        assertTrue(e.getMessage().contains("outer dimension 3; it must be in 1..2"), e.getMessage());
    }

    @Test
    void tooFewBlocksInTheTensorIsRefused() {
        KvbmException e = assertThrows(KvbmException.class,
                () -> TensorLayouts.infer(layers(2, 10, 2, 4, 8), 20, 4, LayoutType.LAYER_SEPARATE_BLOCK));
        assertEquals("KV tensor shape [10, 2, 4, 8] holds 10 blocks in dimension 0 but numDeviceBlocks is 20",
                e.getMessage());
    }

    @Test
    void undetectableShapeIsRefused() {
        KvbmException e = assertThrows(KvbmException.class, () -> TensorLayouts.infer(layers(2, 5, 6, 4, 8), 100, 4, null));
        assertEquals("unsupported KV cache tensor shape [5, 6, 4, 8]: neither dimension 0 nor 1 holds 100 blocks",
                e.getMessage());
    }

    @Test
    void fullyContiguousNeedsExactlyOneTensor() {
        KvbmException e = assertThrows(KvbmException.class,
                () -> TensorLayouts.infer(layers(2, 10, 4, 2, 4, 8), 10, 4, LayoutType.FULLY_CONTIGUOUS));
        assertTrue(e.getMessage().startsWith("a FullyContiguous cache is one tensor"), e.getMessage());
    }

    @Test
    void noTensorsIsRefused() {
        assertEquals("no KV cache tensors given",
                assertThrows(KvbmException.class, () -> TensorLayouts.infer(List.of(), 10, 4, null)).getMessage());
    }

    @Test
    void autoDetectFollowsDynamo() {
        // One tensor whose second dimension looks like a layer count -> FullyContiguous.
        assertEquals(LayoutType.FULLY_CONTIGUOUS, LayoutType.autoDetect(1, new long[] {100, 32, 2, 16, 64}, 100));
        // Second dimension above 200 is not a layer count: LayerSeparate block-first.
        assertEquals(LayoutType.LAYER_SEPARATE_BLOCK, LayoutType.autoDetect(1, new long[] {100, 201, 16, 64}, 100));
        // Several tensors are never FullyContiguous.
        assertEquals(LayoutType.LAYER_SEPARATE_BLOCK, LayoutType.autoDetect(2, new long[] {100, 32, 2, 16, 64}, 100));
        // Dimension 0 is tested before dimension 1.
        assertEquals(LayoutType.LAYER_SEPARATE_BLOCK, LayoutType.layerSeparateAuto(new long[] {100, 100, 16}, 100));
        assertEquals(LayoutType.LAYER_SEPARATE_OUTER, LayoutType.layerSeparateAuto(new long[] {2, 100, 16}, 100));
    }
}
