package dev.kvbm.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * A provider module declares every provider twice: in {@code module-info} ({@code provides}, read on the
 * module path) and in {@code META-INF/services} (read on the class path, where JMH forks and many
 * embedders run). Each mode ignores the other's list, so the two must agree.
 */
public abstract class ProviderDeclarationsContract {

    /** Any class of the module under test. */
    protected abstract Class<?> moduleAnchor();

    /** The service interfaces the module provides, e.g. {@code dev.kvbm.api.spi.TierProvider}. */
    protected abstract Set<String> expectedServices();

    /** The packages the module exports (its API); implementations stay in the others. */
    protected abstract Set<String> expectedExports();

    @Test
    void providesAndMetaInfServicesAgree() throws IOException {
        Module module = moduleAnchor().getModule();
        assertTrue(module.isNamed(), "tests must run on the module path, patched into the module under test");
        ModuleDescriptor d = module.getDescriptor();
        Map<String, Set<String>> declared = new TreeMap<>();
        d.provides().forEach(p -> declared.put(p.service(), new TreeSet<>(p.providers())));
        Map<String, Set<String>> listed = new TreeMap<>();
        for (String service : declared.keySet()) {
            try (InputStream in = module.getResourceAsStream("META-INF/services/" + service)) {
                assertNotNull(in, module.getName() + ": META-INF/services/" + service + " is missing");
                listed.put(service, new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .map(l -> l.replaceAll("#.*", "").trim()).filter(l -> !l.isEmpty())
                        .collect(Collectors.toCollection(TreeSet::new)));
            }
        }
        assertEquals(declared, listed, module.getName() + ": module-info provides and META-INF/services differ");
        assertEquals(new TreeSet<>(expectedServices()), declared.keySet());
    }

    @Test
    void implementationsStayInUnexportedPackages() {
        ModuleDescriptor d = moduleAnchor().getModule().getDescriptor();
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(expectedExports(), exported, d.name() + " exports other packages than its API");
        d.provides().forEach(p -> p.providers().forEach(impl -> {
            String pkg = impl.substring(0, impl.lastIndexOf('.'));
            assertFalse(exported.contains(pkg), impl + " is in an exported package; providers belong in internal ones");
        }));
    }
}
