package dev.kvbm.api.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Address math against values worked out by hand. Geometry used throughout: pageSize 4, innerDim 8,
 * dtype 2 bytes, so one memory region R = 4 * 8 * 2 = 64 bytes.
 */
class BlockLayoutTest {

    private static LayoutConfig config(int blocks, int layers, int outer, int alignment) {
        return new LayoutConfig(blocks, layers, outer, 4, 8, alignment, 2);
    }

    @Test
    void fullyContiguousWithoutAlignment() {
        BlockLayout l = BlockLayout.of(config(3, 2, 2, 1), LayoutType.FULLY_CONTIGUOUS);
        assertEquals(64, l.memoryRegionSize());
        assertEquals(64, l.outerStride());
        assertEquals(128, l.layerStride());             // R * outer
        assertEquals(256, l.blockStride());             // layers * layerStride
        assertEquals(768, l.layoutDataBytes());         // (3 - 1) * 256 + 256
        assertEquals(768, l.requiredAllocationSize());  // + alignment - 1 = 0
        assertEquals(1, l.numStorageRegions());
        assertTrue(l.blockContiguous());
        assertEquals(new MemoryRegion(0, 0, 64), l.memoryRegion(0, 0, 0));
        assertEquals(new MemoryRegion(0, 64, 64), l.memoryRegion(0, 0, 1));
        assertEquals(new MemoryRegion(0, 128, 64), l.memoryRegion(0, 1, 0));
        assertEquals(new MemoryRegion(0, 2 * 256 + 128 + 64, 64), l.memoryRegion(2, 1, 1));
    }

    @Test
    void fullyContiguousAlignmentPadsTheBlockStride() {
        // natural block = 2 layers * 1 outer * 64 = 128; aligned to 512 -> stride 512.
        BlockLayout l = BlockLayout.of(config(3, 2, 1, 512), LayoutType.FULLY_CONTIGUOUS);
        assertEquals(64, l.layerStride());
        assertEquals(512, l.blockStride());
        assertEquals(2 * 512 + 128, l.layoutDataBytes());       // the last block is not padded
        assertEquals(2 * 512 + 128 + 511, l.requiredAllocationSize());
        assertEquals(new MemoryRegion(0, 1024 + 64, 64), l.memoryRegion(2, 1, 0));
    }

    @Test
    void fullyContiguousAlignmentThatIsAlreadyMetChangesNothingButTheSlack() {
        BlockLayout l = BlockLayout.of(config(2, 2, 2, 256), LayoutType.FULLY_CONTIGUOUS);
        assertEquals(256, l.blockStride());
        assertEquals(512, l.layoutDataBytes());
        assertEquals(767, l.requiredAllocationSize());
    }

    @Test
    void layerSeparateOuterContiguous() {
        // Per layer [outer, blocks, page, inner]: blockStride = R, outerStride = R * blocks.
        BlockLayout l = BlockLayout.of(config(3, 2, 2, 1), LayoutType.LAYER_SEPARATE_OUTER);
        assertEquals(64, l.blockStride());
        assertEquals(192, l.outerStride());
        assertEquals(0, l.layerStride());
        assertEquals(384, l.layoutDataBytes());
        assertEquals(384, l.requiredAllocationSize());
        assertEquals(2, l.numStorageRegions());
        assertFalse(l.blockContiguous());
        assertEquals(new MemoryRegion(1, 2 * 64 + 192, 64), l.memoryRegion(2, 1, 1));
        assertEquals(new MemoryRegion(0, 64, 64), l.memoryRegion(1, 0, 0));
    }

    @Test
    void layerSeparateOuterContiguousAlignsEveryPage() {
        BlockLayout l = BlockLayout.of(config(3, 2, 2, 256), LayoutType.LAYER_SEPARATE_OUTER);
        assertEquals(256, l.blockStride());
        assertEquals(768, l.outerStride());
        assertEquals(1536, l.layoutDataBytes());
        assertEquals(1536 + 255, l.requiredAllocationSize());
        assertEquals(new MemoryRegion(1, 2 * 256 + 768, 64), l.memoryRegion(2, 1, 1));
    }

    @Test
    void layerSeparateBlockContiguous() {
        // Per layer [blocks, outer, page, inner]: outerStride = R, blockStride = R * outer.
        BlockLayout l = BlockLayout.of(config(3, 2, 2, 1), LayoutType.LAYER_SEPARATE_BLOCK);
        assertEquals(64, l.outerStride());
        assertEquals(128, l.blockStride());
        assertEquals(384, l.layoutDataBytes());
        assertEquals(new MemoryRegion(1, 2 * 128 + 64, 64), l.memoryRegion(2, 1, 1));
    }

    @Test
    void layerSeparateBlockContiguousAlignmentPadsTheBlockStride() {
        BlockLayout l = BlockLayout.of(config(3, 1, 2, 512), LayoutType.LAYER_SEPARATE_BLOCK);
        assertEquals(512, l.blockStride());
        assertEquals(1536, l.layoutDataBytes());
        assertEquals(1536 + 511, l.requiredAllocationSize());
        assertEquals(new MemoryRegion(0, 1024 + 64, 64), l.memoryRegion(2, 0, 1));
    }

    @Test
    void outOfRangeIndicesFailBlockFirstThenLayerThenOuter() {
        BlockLayout l = BlockLayout.of(config(3, 2, 2, 1), LayoutType.FULLY_CONTIGUOUS);
        KvbmException all = assertThrows(KvbmException.class, () -> l.memoryRegion(3, 2, 2));
        assertEquals("block index 3 out of range 0..2", all.getMessage());
        assertEquals("block", all.field().orElseThrow());
        KvbmException layer = assertThrows(KvbmException.class, () -> l.memoryRegion(2, 2, 2));
        assertEquals("layer index 2 out of range 0..1", layer.getMessage());
        KvbmException outer = assertThrows(KvbmException.class, () -> l.memoryRegion(2, 1, 2));
        assertEquals("outer index 2 out of range 0..1", outer.getMessage());
        KvbmException negative = assertThrows(KvbmException.class, () -> l.memoryRegion(-1, 0, 0));
        assertEquals("block index -1 out of range 0..2", negative.getMessage());
    }

    @Test
    void baseOffsetPadsAnUnalignedStart() {
        BlockLayout l = BlockLayout.of(config(1, 1, 1, 256), LayoutType.FULLY_CONTIGUOUS);
        assertEquals(0, l.baseOffset(4096));
        assertEquals(255, l.baseOffset(4097));
        assertEquals(56, l.baseOffset(200));
        BlockLayout unaligned = BlockLayout.of(config(1, 1, 1, 1), LayoutType.FULLY_CONTIGUOUS);
        assertEquals(0, unaligned.baseOffset(4097));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fc", "ls-outer", "ls-block"})
    void regionsNeverOverlapAndStayInsideTheLayout(String type) {
        for (int alignment : new int[] {1, 64, 256, 4096}) {
            for (int outer = 1; outer <= 2; outer++) {
                BlockLayout l = BlockLayout.of(new LayoutConfig(5, 3, outer, 4, 24, alignment, 2), LayoutType.parse(type));
                List<List<MemoryRegion>> perStorage = new ArrayList<>();
                for (int s = 0; s < l.numStorageRegions(); s++) {
                    perStorage.add(new ArrayList<>());
                }
                for (int b = 0; b < 5; b++) {
                    for (int la = 0; la < 3; la++) {
                        for (int o = 0; o < outer; o++) {
                            MemoryRegion r = l.memoryRegion(b, la, o);
                            assertEquals(l.memoryRegionSize(), r.size());
                            assertTrue(r.offset() >= 0 && r.offset() + r.size() <= l.layoutDataBytes(),
                                    type + " region out of bounds: " + r);
                            perStorage.get(r.storageIndex()).add(r);
                        }
                    }
                }
                long total = 0;
                for (List<MemoryRegion> regions : perStorage) {
                    regions.sort(Comparator.comparingLong(MemoryRegion::offset));
                    for (int i = 1; i < regions.size(); i++) {
                        MemoryRegion prev = regions.get(i - 1);
                        assertTrue(prev.offset() + prev.size() <= regions.get(i).offset(),
                                type + " alignment " + alignment + ": " + prev + " overlaps " + regions.get(i));
                    }
                    total += regions.size();
                }
                assertEquals(5L * 3 * outer, total);
            }
        }
    }

    @Test
    void blockStartsAreAlignedInEveryType() {
        for (String type : new String[] {"fc", "ls-outer", "ls-block"}) {
            BlockLayout l = BlockLayout.of(new LayoutConfig(4, 2, 2, 3, 7, 128, 2), LayoutType.parse(type));
            for (int b = 0; b < 4; b++) {
                assertEquals(0, l.memoryRegion(b, 0, 0).offset() % 128, type + " block " + b);
            }
        }
    }
}
