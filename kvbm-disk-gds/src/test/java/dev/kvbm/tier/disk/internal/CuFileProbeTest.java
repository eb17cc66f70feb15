package dev.kvbm.tier.disk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.StorageKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cuFile engine probes libcufile and the driver; on a machine without them it says why and is never picked. */
class CuFileProbeTest {

    @Test
    void withoutGpuDirectStorageTheEngineIsUnavailableAndSaysWhy() {
        CuFileEngineProvider p = new CuFileEngineProvider();
        assumeFalse(p.isAvailable(), "GPUDirect Storage is available on this machine");
        String cause = p.unavailabilityCause().orElseThrow();
        assertTrue(cause.contains("libcufile") || cause.contains("cuFileDriverOpen"), cause);
        KvbmException e = assertThrows(KvbmException.class, () -> p.create(Map.of()));
        assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, e.code());
    }

    @Test
    void servesDeviceDiskPathsOnlyAndDescribesTheFileLikeCufileH() {
        CuFileEngineProvider p = new CuFileEngineProvider();
        assertEquals(30, p.preference(StorageKind.DEVICE, StorageKind.DISK));
        assertEquals(30, p.preference(StorageKind.DISK, StorageKind.DEVICE));
        assertEquals(-1, p.preference(StorageKind.PINNED, StorageKind.DISK));
        // CUfileDescr_t on LP64: int type, 4 bytes padding, the fd/handle union (8), the fs_ops pointer (8).
        assertEquals(24, CuFile.DESCR.byteSize());
        assertEquals(8, CuFile.DESCR.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("handle")));
    }
}
