package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngineProvider;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EngineAndDeclarationsTest {

    @Test
    void theEngineServesDeviceToHostHostToDeviceAndDeviceToDeviceOnly() {
        CudaEngineProvider p = new CudaEngineProvider();
        assertEquals("cuda", p.name());
        assertEquals(Set.of("DEVICE->SYSTEM", "DEVICE->PINNED", "DEVICE->DEVICE", "SYSTEM->DEVICE", "PINNED->DEVICE"),
                p.paths().stream().map(Object::toString).collect(Collectors.toSet()));
        assertEquals(TransferEngineProvider.UNSUPPORTED, p.preference(StorageKind.PINNED, StorageKind.SYSTEM));
        assertEquals(TransferEngineProvider.UNSUPPORTED, p.preference(StorageKind.DEVICE, StorageKind.DISK));
    }

    @Test
    void directionsPickTheLane() {
        assertEquals(CudaTransferEngine.Direction.OFFLOAD, CudaTransferEngine.direction(StorageKind.DEVICE, StorageKind.PINNED));
        assertEquals(CudaTransferEngine.Direction.OFFLOAD, CudaTransferEngine.direction(StorageKind.DEVICE, StorageKind.SYSTEM));
        assertEquals(CudaTransferEngine.Direction.ONBOARD, CudaTransferEngine.direction(StorageKind.PINNED, StorageKind.DEVICE));
        assertEquals(CudaTransferEngine.Direction.DEVICE_TO_DEVICE,
                CudaTransferEngine.direction(StorageKind.DEVICE, StorageKind.DEVICE));
        KvbmException e = assertThrows(KvbmException.class,
                () -> CudaTransferEngine.direction(StorageKind.PINNED, StorageKind.SYSTEM));
        assertTrue(e.getMessage().contains("not PINNED->SYSTEM"), e.getMessage());
    }

    @Test
    void theKernelSourceShipsAndNamesItsEntryPoint() {
        String source = BatchedCopyKernel.source();
        assertTrue(source.contains("extern \"C\" __global__ void " + BatchedCopyKernel.ENTRY + "("), source);
        assertEquals("--gpu-architecture=compute_90", BatchedCopyKernel.compileOptions(90)[0]);
    }
}
