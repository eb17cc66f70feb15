package dev.kvbm.transport.zmq.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.core.providers.ProviderRegistry;
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

/** module-info {@code provides} and {@code META-INF/services} list the same providers (each mode reads one). */
class ProviderDeclarationsTest {

    @Test
    void providesAndMetaInfServicesAgree() throws IOException {
        Module module = ZmqTransportProvider.class.getModule();
        assertTrue(module.isNamed(), "tests run on the module path, patched into dev.kvbm.transport.zmq");
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
        assertEquals(Set.of("dev.kvbm.api.spi.TransportProvider"), declared.keySet());
        assertEquals(Set.of("dev.kvbm.transport.zmq"), d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()), "only the API package is exported");
    }

    @Test
    void theRegistryFindsTheTransportByName() {
        assertEquals("zmq", ProviderRegistry.load().transport("zmq").name());
    }
}
