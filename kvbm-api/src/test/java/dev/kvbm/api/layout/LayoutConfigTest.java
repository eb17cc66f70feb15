package dev.kvbm.api.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LayoutConfigTest {

    @Test
    void defaultsAreAlignmentOneAndTwoByteElements() {
        LayoutConfig c = LayoutConfig.builder().numBlocks(4).numLayers(3).outerDim(2).pageSize(16).innerDim(128).build();
        assertEquals(1, c.alignment());
        assertEquals(2, c.dtypeWidthBytes());
        assertEquals(16L * 128 * 2, c.memoryRegionSize());
        assertEquals(16L * 128 * 2 * 3 * 2, c.blockDataBytes());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "numBlocks;       0; 1; 2; 4; 8; 1; 2; numBlocks must be >= 1 (got 0)",
        "numLayers;       1; 0; 2; 4; 8; 1; 2; numLayers must be >= 1 (got 0)",
        "outerDim zero;   1; 1; 0; 4; 8; 1; 2; outerDim must be in 1..2 (2 = separate K and V, 1 = MLA or fused) (got 0)",
        "outerDim three;  1; 1; 3; 4; 8; 1; 2; outerDim must be in 1..2 (2 = separate K and V, 1 = MLA or fused) (got 3)",
        "pageSize;        1; 1; 2; 0; 8; 1; 2; pageSize must be >= 1 (got 0)",
        "innerDim;        1; 1; 2; 4; -5; 1; 2; innerDim must be >= 1 (got -5)",
        "alignment three; 1; 1; 2; 4; 8; 3; 2; alignment must be a power of two >= 1 (got 3)",
        "alignment zero;  1; 1; 2; 4; 8; 0; 2; alignment must be a power of two >= 1 (got 0)",
        "dtype;           1; 1; 2; 4; 8; 1; 0; dtypeWidthBytes must be >= 1 (got 0)",
    })
    void everyRuleFailsNamingFieldValueAndRule(String name, int blocks, int layers, int outer, int page, int inner,
                                               int alignment, int dtype, String message) {
        KvbmException e = assertThrows(KvbmException.class,
                () -> new LayoutConfig(blocks, layers, outer, page, inner, alignment, dtype));
        assertEquals(message, e.getMessage());
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertEquals(message.substring(0, message.indexOf(' ')), e.field().orElseThrow());
    }

    @Test
    void regionSizeOverflowIsAnErrorNotAWrappedNumber() {
        KvbmException e = assertThrows(KvbmException.class,
                () -> new LayoutConfig(1, 1, 2, Integer.MAX_VALUE, Integer.MAX_VALUE, 1, Integer.MAX_VALUE));
        assertEquals(ErrorCode.SIZE_OVERFLOW, e.code());
        assertEquals("memoryRegionSize", e.field().orElseThrow());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"fc", "ls-outer", "ls-block"})
    void layoutSizeOverflowIsAnError(String type) {
        // One region is 2^10 * 2^20 * 8 = 2^33 bytes, which fits; 2^31 - 1 blocks of it do not.
        LayoutConfig c = new LayoutConfig(Integer.MAX_VALUE, 1, 2, 1 << 10, 1 << 20, 1, 8);
        assertEquals(1L << 33, c.memoryRegionSize());
        KvbmException e = assertThrows(KvbmException.class, () -> BlockLayout.of(c, LayoutType.parse(type)));
        assertEquals(ErrorCode.SIZE_OVERFLOW, e.code());
    }

    @Test
    void layoutTypeParsesShortNamesAndRejectsOthers() {
        assertEquals(LayoutType.FULLY_CONTIGUOUS, LayoutType.parse("fc"));
        assertEquals(new LayoutType.LayerSeparate(true), LayoutType.parse("ls-outer"));
        assertEquals(new LayoutType.LayerSeparate(false), LayoutType.parse("ls-block"));
        KvbmException e = assertThrows(KvbmException.class, () -> LayoutType.parse("ls"));
        assertEquals("layoutType must be one of fc, ls-outer, ls-block (got ls)", e.getMessage());
    }
}
