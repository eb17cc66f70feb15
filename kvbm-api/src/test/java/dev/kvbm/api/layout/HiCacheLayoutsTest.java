package dev.kvbm.api.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * SGLang HiCache's host layouts against values worked out by hand. Geometry: 3 blocks, 2 layers, 2 outer, page 4,
 * inner 8 = 2 heads x 4, 2 bytes: a token of one layer t = 16 bytes, a page R = 64, a head h = 8.
 */
class HiCacheLayoutsTest {
    static final LayoutConfig C = new LayoutConfig(3, 2, 2, 4, 8, 1, 2, 2);

    static BlockLayout layout(String name, LayoutConfig c) {
        return BlockLayout.of(c, LayoutType.builtIns().stream().filter(t -> t.shortName().equals(name)).findFirst()
                .orElseThrow());
    }

    /** Which built-ins hold one layer of a block (its K and V, or its one MLA page) as one run. */
    @Test
    void layerContiguityFollowsEachLayoutsAxes() {
        LayoutConfig mla = new LayoutConfig(3, 2, 1, 4, 8, 1, 2, 2);
        Map<String, List<Boolean>> expected = Map.of( // name -> [K/V, MLA]
                "fc", List.of(true, true),
                "ls-block", List.of(true, true),
                "ls-outer", List.of(false, true),            // [outer][block][page] per layer: K and V blocks apart
                "hicache-layer-first", List.of(false, true),  // outer outermost; one layer's page is one run
                "hicache-page-first", List.of(false, false),  // a page's tokens lie layers apart
                "hicache-page-first-direct", List.of(false, true),
                "hicache-page-head", List.of(false, false));  // a page's heads lie apart
        expected.forEach((name, kvAndMla) -> {
            for (int layer = 0; layer < 2; layer++) {
                assertEquals(kvAndMla.get(0), layout(name, C).layerContiguous(layer), name + " K/V layer " + layer);
                assertEquals(kvAndMla.get(1), layout(name, mla).layerContiguous(layer), name + " MLA layer " + layer);
            }
        });
        KvbmException e = assertThrows(KvbmException.class, () -> layout("fc", C).layerContiguous(2));
        assertEquals("layer", e.field().orElse(""));
    }

    @Test
    void layerFirstPagesAreOneRunLayersABlockRowApart() {
        BlockLayout l = layout("hicache-layer-first", C);
        assertEquals(64, l.blockStride());          // R
        assertEquals(3 * 64, l.layerStride());      // blocks x R
        assertEquals(2 * 3 * 64, l.outerStride());  // layers x layerStride
        assertEquals(new MemoryRegion(0, 384 + 192 + 128, 64), l.memoryRegion(2, 1, 1));
        assertEquals(768, l.layoutDataBytes());
        assertFalse(l.blockContiguous());
    }

    @Test
    void pageFirstPagesAreTokenRunsLayersApart() {
        BlockLayout l = layout("hicache-page-first", C);
        assertEquals(4 * 2 * 16, l.blockStride());  // page x layers x t
        assertEquals(16, l.layerStride());
        assertEquals(3 * 128, l.outerStride());
        // 4 runs of 16 bytes, 32 (layers x t) apart
        assertEquals(new MemoryRegion(0, 384 + 256 + 16, 64, 16, 4, 32, 1, 0), l.memoryRegion(2, 1, 1));
        assertEquals(16, l.runBytes());
        // One layer: a page's tokens touch, so it is one run after all.
        assertTrue(layout("hicache-page-first", new LayoutConfig(3, 1, 2, 4, 8, 1, 2)).memoryRegion(1, 0, 1).contiguous());
    }

    @Test
    void pageFirstDirectIsContiguousPerLayerAndFullyContiguousWithOneOuter() {
        BlockLayout l = layout("hicache-page-first-direct", C);
        assertEquals(2 * 64, l.blockStride());
        assertEquals(64, l.layerStride());
        assertEquals(new MemoryRegion(0, 384 + 256 + 64, 64), l.memoryRegion(2, 1, 1));
        assertFalse(l.blockContiguous());
        LayoutConfig mla = new LayoutConfig(3, 2, 1, 4, 8, 64, 2);
        BlockLayout direct = layout("hicache-page-first-direct", mla);
        BlockLayout fc = BlockLayout.of(mla, LayoutType.FULLY_CONTIGUOUS);
        assertTrue(direct.blockContiguous(), "MLA page-first-direct is [blocks, layers, page, inner]: fc's order");
        for (int b = 0; b < 3; b++) {
            for (int layer = 0; layer < 2; layer++) {
                assertEquals(fc.memoryRegion(b, layer, 0), direct.memoryRegion(b, layer, 0));
            }
        }
    }

    @Test
    void pageHeadPagesAreHeadRunsOnTwoLevels() {
        BlockLayout l = layout("hicache-page-head", C);
        assertEquals(2 * 64, l.blockStride());
        assertEquals(8, l.layerStride());           // h
        // runs of h = 8; heads page x layers x h = 64 apart; tokens layers x h = 16 apart
        MemoryRegion r = l.memoryRegion(2, 1, 1);
        assertEquals(new MemoryRegion(0, 384 + 256 + 8, 64, 8, 2, 64, 4, 16), r);
        assertEquals(2, r.levels());
        assertEquals(384 + 256 + 8 + 64 + 16, r.runOffset(3), "run 3 = head 1 of token 1");
        KvbmException noHeads = assertThrows(KvbmException.class,
                () -> layout("hicache-page-head", C.withNumHeads(0)));
        assertEquals("numHeads", noHeads.field().orElseThrow());
        assertEquals(ErrorCode.INVALID_CONFIG, noHeads.code());
    }

    @Test
    void blockStartsArePaddedToTheAlignment() {
        LayoutConfig aligned = C.withAlignment(256);
        assertEquals(256, layout("hicache-layer-first", aligned).blockStride());
        assertEquals(256, layout("hicache-page-first", aligned).blockStride());
        assertEquals(256, layout("hicache-page-head", aligned).memoryRegion(1, 0, 0).offset());
    }

    @Test
    void stridedRegionsFoldLevelsThatTouch() {
        assertEquals(new MemoryRegion(0, 0, 64), MemoryRegion.strided(0, 0, 16, 4, 16, 1, 0));
        assertEquals(new MemoryRegion(0, 0, 64, 32, 2, 64, 1, 0), MemoryRegion.strided(0, 0, 8, 4, 8, 2, 64));
        assertEquals(new MemoryRegion(0, 0, 64, 8, 8, 16, 1, 0), MemoryRegion.strided(0, 0, 8, 1, 0, 8, 16));
        assertThrows(KvbmException.class, () -> new MemoryRegion(0, 0, 65, 8, 8, 16, 1, 0), "size must add up");
    }

    @Test
    void theApiDeclaresItsLayoutProvidersInBothPlaces() throws IOException {
        Module api = BlockLayout.class.getModule();
        assertTrue(api.isNamed(), "tests run on the module path");
        ModuleDescriptor.Provides provides = api.getDescriptor().provides().stream()
                .filter(p -> p.service().equals("dev.kvbm.api.spi.LayoutProvider")).findFirst().orElseThrow();
        try (InputStream in = api.getResourceAsStream("META-INF/services/dev.kvbm.api.spi.LayoutProvider")) {
            Set<String> listed = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                    .filter(line -> !line.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(provides.providers()), listed);
        }
        assertEquals(List.of("fc", "ls-outer", "ls-block", "hicache-layer-first", "hicache-page-first",
                "hicache-page-first-direct", "hicache-page-head"),
                LayoutType.builtIns().stream().map(LayoutType::shortName).toList());
        assertEquals(Map.of(), LayoutType.builtIns().get(3).parameters());
    }
}
