package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.tier.cuda.CudaProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The probe on this machine: available with devices, or unavailable with one precise cause everywhere. */
class CudaProbeTest {

    @Test
    void availabilityAndCauseAgree() {
        if (CudaProbe.isAvailable()) {
            assertTrue(CudaProbe.unavailabilityCause().isEmpty());
            assertTrue(CudaProbe.deviceCount() > 0);
            assertTrue(CudaProbe.driverVersion() >= ProbeMessages.MIN_DRIVER_VERSION);
        } else {
            String cause = CudaProbe.unavailabilityCause().orElseThrow();
            assertFalse(cause.isBlank());
            assertFalse(cause.contains("\n"), "one line: " + cause);
            assertEquals(0, CudaProbe.deviceCount());
        }
    }

    @Test
    void withoutLibcudaTheCauseIsTheMissingLibrary() {
        boolean libcuda = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1"))
                || Files.exists(Path.of("/usr/lib64/libcuda.so.1")) || Files.exists(Path.of("/usr/lib/wsl/lib/libcuda.so.1"))
                || System.getenv("LD_LIBRARY_PATH") != null;
        assumeFalse(libcuda, "a libcuda.so.1 may be installed here");
        assumeFalse(Boolean.getBoolean("kvbm.cuda.disable"));
        String cause = CudaProbe.unavailabilityCause().orElseThrow();
        assertTrue(cause.startsWith("libcuda.so.1: cannot open shared object file: No such file or directory"), cause);
    }

    @Test
    void providersReportTheProbeCauseAndRefuseWork() {
        assumeFalse(CudaProbe.isAvailable(), "CUDA is available here");
        CudaTierProvider tier = new CudaTierProvider();
        CudaEngineProvider engine = new CudaEngineProvider();
        assertFalse(tier.isAvailable());
        assertFalse(engine.isAvailable());
        assertEquals(CudaProbe.unavailabilityCause(), tier.unavailabilityCause());
        assertEquals(CudaProbe.unavailabilityCause(), engine.unavailabilityCause());
        assertTrue(tier.description().endsWith("unavailable"));
        TierConfig config = new TierConfig(Tier.G1, new LayoutConfig(4, 2, 2, 16, 64, 1, 2), LayoutType.FULLY_CONTIGUOUS);
        KvbmException e = assertThrows(KvbmException.class, () -> tier.createAllocator(config));
        assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains(CudaProbe.unavailabilityCause().orElseThrow()), e.getMessage());
        KvbmException e2 = assertThrows(KvbmException.class, () -> engine.create(Map.of()));
        assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, e2.code());
    }

    @Test
    void tierProviderDescribesItself() {
        CudaTierProvider tier = new CudaTierProvider();
        assertEquals("cuda", tier.name());
        assertEquals(java.util.Set.of(Tier.G1), tier.tiers());
        assertEquals(dev.kvbm.api.spi.StorageKind.DEVICE, tier.storageKind());
        assertTrue(tier.priority() > 10, "above host-pinned, which stands in for G1 without a GPU");
    }

    @Test
    void deviceOrdinalOutOfRangeNamesTheOption() {
        assumeTrue(CudaProbe.isAvailable(), () -> "CUDA unavailable: " + CudaProbe.unavailabilityCause().orElse(""));
        TierConfig config = new TierConfig(Tier.G1, new LayoutConfig(4, 2, 2, 16, 64, 1, 2), LayoutType.FULLY_CONTIGUOUS,
                Map.of("kvbm.cuda.device", "999"));
        KvbmException e = assertThrows(KvbmException.class, () -> new CudaTierProvider().createAllocator(config));
        assertEquals("kvbm.cuda.device", e.field().orElseThrow());
    }
}
