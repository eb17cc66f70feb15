package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngineProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
    void providesAndMetaInfServicesAgree() throws IOException {
        Module module = CudaTierProvider.class.getModule();
        assertTrue(module.isNamed(), "tests run on the module path, patched into dev.kvbm.tier.cuda");
        ModuleDescriptor d = module.getDescriptor();
        Map<String, Set<String>> declared = new TreeMap<>();
        d.provides().forEach(p -> declared.put(p.service(), new TreeSet<>(p.providers())));
        Map<String, Set<String>> services = new TreeMap<>();
        for (String service : declared.keySet()) {
            try (InputStream in = module.getResourceAsStream("META-INF/services/" + service)) {
                assertTrue(in != null, "META-INF/services/" + service + " is missing");
                services.put(service, new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .map(l -> l.replaceAll("#.*", "").trim()).filter(l -> !l.isEmpty())
                        .collect(Collectors.toCollection(TreeSet::new)));
            }
        }
        assertEquals(declared, services);
        assertEquals(Set.of("dev.kvbm.api.spi.TierProvider", "dev.kvbm.api.spi.TransferEngineProvider",
                "dev.kvbm.api.spi.HostMemoryRegistrarProvider"), declared.keySet());
        assertEquals(Set.of("dev.kvbm.tier.cuda"), d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()), "only the API package is exported");
    }

    @Test
    void theKernelSourceShipsAndNamesItsEntryPoint() {
        String source = BatchedCopyKernel.source();
        assertTrue(source.contains("extern \"C\" __global__ void " + BatchedCopyKernel.ENTRY + "("), source);
        assertEquals("--gpu-architecture=compute_90", BatchedCopyKernel.compileOptions(90)[0]);
    }
}
