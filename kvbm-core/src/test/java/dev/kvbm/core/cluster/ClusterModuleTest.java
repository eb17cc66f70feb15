package dev.kvbm.core.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

/** The core reaches transports through the registry only: it looks them up and requires none. */
class ClusterModuleTest {

    @Test
    void theCoreUsesTransportsWithoutRequiringOne() {
        ModuleDescriptor d = Leader.class.getModule().getDescriptor();
        assertNotNull(d, "the tests run on the module path");
        assertTrue(d.uses().contains("dev.kvbm.api.spi.TransportProvider"));
        assertFalse(d.requires().stream().anyMatch(r -> r.name().startsWith("dev.kvbm.transport")
                || r.name().startsWith("dev.kvbm.tier")), d.requires().toString());
        assertTrue(d.exports().stream().anyMatch(e -> e.source().equals("dev.kvbm.core.cluster")));
        assertFalse(d.exports().stream().anyMatch(e -> e.source().endsWith(".internal")), "internal packages stay internal");
    }
}
