package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CopyStrategyTest {
    static CopyRegions plan(LayoutType src, LayoutType dst, int blocks) {
        List<BlockPair> pairs = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            pairs.add(new BlockPair(i, i));
        }
        return CopyRegions.plan(CopyRegionsTest.layout(src, 0x1000_0000L), CopyRegionsTest.layout(dst, 0x9000_0000L), pairs);
    }

    static final CopyStrategy.Settings AUTO = CopyStrategy.Settings.DEFAULT;

    @Test
    void bothFullyContiguousIsWholeBlocksWhateverElse() {
        CopyRegions r = plan(LayoutType.FULLY_CONTIGUOUS, LayoutType.FULLY_CONTIGUOUS, 4);
        assertEquals(CopyStrategy.WHOLE_BLOCKS, CopyStrategy.choose(r, AUTO, true, true).strategy());
        assertEquals(CopyStrategy.WHOLE_BLOCKS, CopyStrategy.choose(r, AUTO, false, false).strategy());
    }

    @Test
    void manySmallRegionsOnAddressableMemoryUseTheKernel() {
        CopyRegions r = plan(LayoutType.FULLY_CONTIGUOUS, LayoutType.LAYER_SEPARATE_OUTER, 4); // 24 regions of 64 bytes
        CopyStrategy.Decision d = CopyStrategy.choose(r, AUTO, true, true);
        assertEquals(CopyStrategy.KERNEL, d.strategy());
        assertEquals("24 regions of 64 bytes", d.reason());
    }

    @Test
    void fallsBackToPerRegionCopiesAndSaysWhy() {
        CopyRegions r = plan(LayoutType.FULLY_CONTIGUOUS, LayoutType.LAYER_SEPARATE_OUTER, 4);
        assertEquals(new CopyStrategy.Decision(CopyStrategy.PER_REGION, "batched kernel not loaded"),
                CopyStrategy.choose(r, AUTO, false, true));
        assertTrue(CopyStrategy.choose(r, AUTO, true, false).reason().contains("not registered"));
        CopyStrategy.Settings smallMax = new CopyStrategy.Settings(CopyStrategy.Mode.AUTO, 32, 8);
        assertEquals("regions of 64 bytes > 32", CopyStrategy.choose(r, smallMax, true, true).reason());
        CopyStrategy.Settings manyMin = new CopyStrategy.Settings(CopyStrategy.Mode.AUTO, 1 << 20, 100);
        assertEquals("24 regions < 100", CopyStrategy.choose(r, manyMin, true, true).reason());
        CopyStrategy.Settings off = CopyStrategy.Settings.from(Map.of("kvbm.cuda.kernel", "off"));
        assertEquals(CopyStrategy.PER_REGION, CopyStrategy.choose(r, off, true, true).strategy());
    }

    @Test
    void forceIgnoresSizesButNotLegality() {
        CopyRegions r = plan(LayoutType.FULLY_CONTIGUOUS, LayoutType.LAYER_SEPARATE_OUTER, 1); // 6 regions
        CopyStrategy.Settings force = CopyStrategy.Settings.from(Map.of("kvbm.cuda.kernel", "FORCE"));
        assertEquals(CopyStrategy.KERNEL, CopyStrategy.choose(r, force, true, true).strategy());
        assertEquals(CopyStrategy.PER_REGION, CopyStrategy.choose(r, force, true, false).strategy());
        assertEquals(CopyStrategy.PER_REGION, CopyStrategy.choose(r, AUTO, true, true).strategy(), "6 < 8 regions");
    }

    @Test
    void badOptionsNameTheOptionAndRange() {
        KvbmException mode = assertThrows(KvbmException.class,
                () -> CopyStrategy.Settings.from(Map.of("kvbm.cuda.kernel", "sometimes")));
        assertEquals("kvbm.cuda.kernel", mode.field().orElseThrow());
        assertTrue(mode.getMessage().contains("one of auto, off, force"));
        KvbmException max = assertThrows(KvbmException.class,
                () -> CopyStrategy.Settings.from(Map.of("kvbm.cuda.kernel.max.region.bytes", "0")));
        assertEquals("kvbm.cuda.kernel.max.region.bytes must be in 1..9223372036854775807 (got 0)", max.getMessage());
        KvbmException min = assertThrows(KvbmException.class,
                () -> CopyStrategy.Settings.from(Map.of("kvbm.cuda.kernel.min.regions", "x")));
        assertEquals("kvbm.cuda.kernel.min.regions", min.field().orElseThrow());
    }

    @Test
    void crossoverIsTheLargestSizeUpToWhichTheKernelKeepsWinning() {
        List<CopyStrategy.Sample> s = List.of(new CopyStrategy.Sample(65536, 20, 21), new CopyStrategy.Sample(4096, 18, 3),
                new CopyStrategy.Sample(16384, 19, 10), new CopyStrategy.Sample(262144, 25, 10));
        assertEquals(OptionalLong.of(16384), CopyStrategy.crossover(s));
        assertEquals(OptionalLong.empty(), CopyStrategy.crossover(List.of(new CopyStrategy.Sample(4096, 1, 2))));
        assertEquals(OptionalLong.of(4096), CopyStrategy.crossover(List.of(new CopyStrategy.Sample(4096, 2, 2))));
    }
}
