package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.tck.DeviceAddressStorage;
import dev.kvbm.tck.HostLayouts;
import dev.kvbm.tier.cuda.CudaProbe;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** What the engine decides before it touches the driver: validation, paths, empty transfers, and a clean failure. */
class EngineWithoutGpuTest {

    static KvbmException failure(CompletableFuture<Void> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return assertInstanceOf(KvbmException.class, e.getCause());
    }

    static PhysicalLayout host(LayoutType type, StorageKind kind) {
        return HostLayouts.allocate(CopyRegionsTest.CONFIG, type, kind);
    }

    @Test
    void invalidTransfersFailTheirFutureWithoutTouchingTheDriver() {
        try (CudaTransferEngine engine = new CudaTransferEngine(CopyStrategy.Settings.DEFAULT)) {
            PhysicalLayout dev = CopyRegionsTest.layout(LayoutType.FULLY_CONTIGUOUS, 0x7f00_0000_0000L);
            PhysicalLayout pinned = host(LayoutType.FULLY_CONTIGUOUS, StorageKind.PINNED);
            PhysicalLayout system = host(LayoutType.FULLY_CONTIGUOUS, StorageKind.SYSTEM);
            try {
                KvbmException range = failure(engine.transfer(pinned, dev, List.of(new BlockPair(0, 99))));
                assertEquals(ErrorCode.INVALID_ARGUMENT, range.code());
                assertEquals("target", range.field().orElseThrow());
                KvbmException path = failure(engine.transfer(pinned, system, List.of(new BlockPair(0, 0))));
                assertTrue(path.getMessage().contains("not PINNED->SYSTEM"), path.getMessage());
                assertTrue(engine.transfer(pinned, dev, List.of()).isDone(), "nothing to copy completes at once");
            } finally {
                pinned.close();
                system.close();
            }
        }
    }

    @Test
    void withoutCudaAValidTransferFailsWithTheProbeCause() {
        assumeFalse(CudaProbe.isAvailable(), "CUDA is available here");
        try (CudaTransferEngine engine = new CudaTransferEngine(CopyStrategy.Settings.DEFAULT)) {
            PhysicalLayout dev = CopyRegionsTest.layout(LayoutType.LAYER_SEPARATE_OUTER, 0x7f00_0000_0000L);
            PhysicalLayout pinned = host(LayoutType.FULLY_CONTIGUOUS, StorageKind.PINNED);
            try {
                KvbmException e = failure(engine.transfer(pinned, dev, List.of(new BlockPair(0, 0))));
                assertEquals(ErrorCode.TRANSFER_FAILED, e.code());
                assertTrue(e.getMessage().contains(CudaProbe.unavailabilityCause().orElseThrow()), e.getMessage());
            } finally {
                pinned.close();
            }
        }
    }

    @Test
    void aLayoutSpreadOverTwoDevicesIsRefused() {
        BlockLayout l = BlockLayout.of(CopyRegionsTest.CONFIG, LayoutType.LAYER_SEPARATE_OUTER);
        List<DeviceAddressStorage> regions = new java.util.ArrayList<>();
        for (int i = 0; i < l.numStorageRegions(); i++) {
            regions.add(new DeviceAddressStorage(i == 1 ? 1 : 0, 0x7f00_0000_0000L + (i << 20), l.requiredAllocationSize()));
        }
        PhysicalLayout mixed = new PhysicalLayout(l, regions);
        PhysicalLayout dev = CopyRegionsTest.layout(LayoutType.FULLY_CONTIGUOUS, 0x7e00_0000_0000L);
        try (CudaTransferEngine engine = new CudaTransferEngine(CopyStrategy.Settings.DEFAULT)) {
            KvbmException e = failure(engine.transfer(mixed, dev, List.of(new BlockPair(0, 0))));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertEquals("source", e.field().orElseThrow());
            assertTrue(e.getMessage().contains("region 1 is on device 1 but region 0 is on device 0"), e.getMessage());
        }
    }

    @Test
    void aClosedEngineRefusesWork() {
        CudaTransferEngine engine = new CudaTransferEngine(CopyStrategy.Settings.DEFAULT);
        engine.close();
        PhysicalLayout dev = CopyRegionsTest.layout(LayoutType.FULLY_CONTIGUOUS, 0x7f00_0000_0000L);
        assertEquals(ErrorCode.INVALID_STATE, failure(engine.transfer(dev, dev, List.of(new BlockPair(0, 1)))).code());
    }
}
