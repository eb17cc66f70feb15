package dev.kvbm.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutType;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KvbmWorkerConfigTest {

    @Test
    void defaults() {
        KvbmWorkerConfig c = KvbmWorkerConfig.builder().numDeviceBlocks(10).build();
        assertEquals(32, c.pageSize());
        assertEquals(2, c.dtypeWidthBytes());
        assertEquals(LayoutType.FULLY_CONTIGUOUS, c.hostLayoutType());
        assertEquals(LayoutType.FULLY_CONTIGUOUS, c.diskLayoutType());
        assertTrue(c.deviceLayoutType().isEmpty());
        assertTrue(c.rank().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 48, 2048, -4})
    void pageSizeMustBeAPowerOfTwoAtMost1024(int page) {
        KvbmException e = assertThrows(KvbmException.class,
                () -> KvbmWorkerConfig.builder().numDeviceBlocks(1).pageSize(page).build());
        assertEquals("pageSize must be a power of two in 1..1024 (got " + page + ")", e.getMessage());
        assertEquals("pageSize", e.field().orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 16, 1024})
    void powersOfTwoUpTo1024AreAccepted(int page) {
        assertEquals(page, KvbmWorkerConfig.builder().numDeviceBlocks(1).pageSize(page).build().pageSize());
    }

    @Test
    void numDeviceBlocksMustBePositive() {
        KvbmException e = assertThrows(KvbmException.class, () -> KvbmWorkerConfig.builder().build());
        assertEquals("numDeviceBlocks must be > 0 (got 0)", e.getMessage());
    }

    @Test
    void outerAndInnerComeTogether() {
        KvbmException onlyOuter = assertThrows(KvbmException.class,
                () -> KvbmWorkerConfig.builder().numDeviceBlocks(1).numLayers(2).outerDim(2).build());
        assertEquals("innerDim", onlyOuter.field().orElseThrow());
        assertTrue(onlyOuter.getMessage().startsWith("innerDim must be given together with outerDim"), onlyOuter.getMessage());
        KvbmException onlyInner = assertThrows(KvbmException.class,
                () -> KvbmWorkerConfig.builder().numDeviceBlocks(1).numLayers(2).innerDim(64).build());
        assertEquals("outerDim", onlyInner.field().orElseThrow());
    }

    @Test
    void explicitGeometryIsRangeChecked() {
        assertEquals("outerDim must be in 1..2 (got 3)", assertThrows(KvbmException.class,
                () -> KvbmWorkerConfig.builder().numDeviceBlocks(1).numLayers(2).outerDim(3).innerDim(8).build())
                .getMessage());
        assertEquals("innerDim must be >= 1 (got 0)", assertThrows(KvbmException.class,
                () -> KvbmWorkerConfig.builder().numDeviceBlocks(1).numLayers(2).outerDim(2).innerDim(0).build())
                .getMessage());
        assertEquals("numLayers", assertThrows(KvbmException.class,
                () -> KvbmWorkerConfig.builder().numDeviceBlocks(1).outerDim(2).innerDim(8).build()).field().orElseThrow());
    }

    @Test
    void explicitGeometryResolvesWithoutTensors() {
        KvbmWorkerConfig c = KvbmWorkerConfig.builder().numDeviceBlocks(8).pageSize(16).numLayers(4).outerDim(2)
                .innerDim(128).build();
        KvbmWorkerConfig.DeviceLayout d = c.resolveDeviceLayout(List.of());
        assertEquals(LayoutType.FULLY_CONTIGUOUS, d.type());
        assertEquals(8, d.config().numBlocks());
        assertEquals(4L * 2 * 16 * 128 * 2, d.bytesPerBlock());
    }

    @Test
    void inferredGeometryComesFromTheTensors() {
        KvbmWorkerConfig c = KvbmWorkerConfig.builder().numDeviceBlocks(64).pageSize(16).build();
        KvbmWorkerConfig.DeviceLayout d = c.resolveDeviceLayout(Collections.nCopies(3, new long[] {64, 2, 16, 8, 64}));
        assertEquals(LayoutType.LAYER_SEPARATE_BLOCK, d.type());
        assertEquals(3, d.config().numLayers());
        assertEquals(512, d.config().innerDim());
        KvbmException none = assertThrows(KvbmException.class, () -> c.resolveDeviceLayout(List.of()));
        assertEquals("outerDim", none.field().orElseThrow());
    }

    @Test
    void rankAndDeviceMustNotBeNegative() {
        assertEquals("rank must be >= 0 (got -1)", assertThrows(KvbmException.class,
                () -> KvbmWorkerConfig.builder().numDeviceBlocks(1).rank(-1).build()).getMessage());
        assertEquals("deviceId must be >= 0 (got -2)", assertThrows(KvbmException.class,
                () -> KvbmWorkerConfig.builder().numDeviceBlocks(1).deviceId(-2).build()).getMessage());
    }
}
