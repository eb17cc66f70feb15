package dev.kvbm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Checks the module set-up of the packaged distribution, read as the launcher reads it: a module path
 * and nothing on the class path.
 */
class ModuleSetupIT {

    /** The only third-party modules allowed to be automatic (no module-info of their own). */
    static final Set<String> ALLOWED_AUTOMATIC = Set.of("zero.allocation.hashing",
            // Chronicle Bytes and what it brings (kvbm-host-pinned); JNR/JNA are excluded in the root pom.
            "chronicle.bytes", "chronicle.core", "chronicle.analytics", "posix",
            // JMH and its two dependencies (kvbm-bench).
            "jmh.core", "jopt.simple", "commons.math3",
            // JCuda 12.6.0 and its natives jar (kvbm-device-cuda): no module-info, no Automatic-Module-Name.
            "jcuda", "jcuda.natives",
            // CURVE crypto of JeroMQ (kvbm-transport-zmq).
            "jnacl",
            // HdrHistogram 2.2.2 (kvbm-core, latency percentiles): no module-info, no Automatic-Module-Name, so
            // its name comes from the jar's file name.
            "HdrHistogram");

    static final Path LIB = KvbmLauncherIT.ROOT.resolve("kvbm-cli/target/kvbm-dist/lib");

    @Test
    void theDistributionResolvesFromTheModulePathAlone() {
        // A fresh graph (not the test's boot layer, which already holds these modules): JDK plus lib/ only.
        Configuration cf = Configuration.resolveAndBind(ModuleFinder.compose(ModuleFinder.ofSystem(), ModuleFinder.of(LIB)),
                java.util.List.of(Configuration.empty()), ModuleFinder.of(), Set.of("dev.kvbm.cli"));
        Set<String> names = cf.modules().stream().map(ResolvedModule::name).collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("dev.kvbm.api", "dev.kvbm.core", "dev.kvbm.cli")), names.toString());
    }

    @Test
    void kvbmModulesAreExplicitAndOnlyAllowedModulesAreAutomatic() {
        for (ModuleReference ref : ModuleFinder.of(LIB).findAll()) {
            ModuleDescriptor d = ref.descriptor();
            if (d.name().startsWith("dev.kvbm.")) {
                assertFalse(d.isAutomatic(), d.name() + " must have a module-info");
            } else if (d.isAutomatic()) {
                assertTrue(ALLOWED_AUTOMATIC.contains(d.name()), "unexpected automatic module " + d.name());
            }
        }
    }

    @Test
    void theApiDependsOnJavaBaseOnly() {
        ModuleDescriptor api = ModuleFinder.of(LIB).find("dev.kvbm.api").orElseThrow().descriptor();
        assertEquals(Set.of("java.base"),
                api.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
        assertTrue(api.uses().isEmpty(), "only dev.kvbm.core loads services");
    }

    @Test
    void onlyTheCoreUsesServiceLoader() {
        for (ModuleReference ref : ModuleFinder.of(LIB).findAll()) {
            ModuleDescriptor d = ref.descriptor();
            if (d.name().startsWith("dev.kvbm.") && !d.name().equals("dev.kvbm.core")) {
                assertTrue(d.uses().isEmpty(), d.name() + " declares uses " + d.uses());
            }
        }
        assertEquals(Set.of("dev.kvbm.api.spi.TierProvider", "dev.kvbm.api.spi.TransferEngineProvider",
                        "dev.kvbm.api.spi.TransportProvider", "dev.kvbm.api.spi.EngineConnector"),
                ModuleFinder.of(LIB).find("dev.kvbm.core").orElseThrow().descriptor().uses());
    }

    @Test
    void providesAndMetaInfServicesAgreeInEveryKvbmModule() throws IOException {
        for (ModuleReference ref : ModuleFinder.of(LIB).findAll()) {
            ModuleDescriptor d = ref.descriptor();
            if (!d.name().startsWith("dev.kvbm.")) {
                continue;
            }
            Map<String, Set<String>> declared = new TreeMap<>();
            d.provides().forEach(p -> declared.put(p.service(), new TreeSet<>(p.providers())));
            Map<String, Set<String>> services = new TreeMap<>();
            try (JarFile jar = new JarFile(Path.of(ref.location().orElseThrow()).toFile())) {
                var entries = jar.entries();
                while (entries.hasMoreElements()) {
                    var e = entries.nextElement();
                    if (e.getName().startsWith("META-INF/services/") && !e.isDirectory()) {
                        String service = e.getName().substring("META-INF/services/".length());
                        String text = new String(jar.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
                        services.put(service, text.lines().map(l -> l.replaceAll("#.*", "").trim())
                                .filter(l -> !l.isEmpty()).collect(Collectors.toCollection(TreeSet::new)));
                    }
                }
            }
            assertEquals(declared, services, d.name() + ": module-info provides and META-INF/services differ");
        }
    }
}
