package dev.kvbm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module graph rules of kvbm, read from the module descriptors of the packaged distribution's lib/:
 * kvbm-api depends on java.base only; tiers, transports and engine connectors build on kvbm-api alone (never on
 * the core, never on one another); the core reaches them through ServiceLoader only; the CLI and the benchmarks use
 * no internal package of another module; only the core declares {@code uses}.
 */
class ModuleGraphIT {
    static final String API = "dev.kvbm.api";
    static final String CORE = "dev.kvbm.core";
    /** Native bindings a plugin may share (qualified exports): not a tier, so a tier may require one. */
    static final String NATIVE_PREFIX = "dev.kvbm.nativeio.";
    /**
     * Modules that still break a rule, each with the issue that removes the violation. The test fails when a listed
     * module no longer breaks it, so the entry goes with the fix.
     */
    static Map<String, ModuleDescriptor> kvbmModules() {
        Map<String, ModuleDescriptor> modules = new TreeMap<>();
        for (ModuleReference ref : ModuleFinder.of(ModuleSetupIT.LIB).findAll()) {
            if (ref.descriptor().name().startsWith("dev.kvbm.")) {
                modules.put(ref.descriptor().name(), ref.descriptor());
            }
        }
        return modules;
    }

    static boolean isPlugin(String module) {
        return module.startsWith("dev.kvbm.tier.") || module.startsWith("dev.kvbm.transport.")
                || module.startsWith("dev.kvbm.engine.");
    }

    static Set<String> requires(ModuleDescriptor d) {
        return d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theDistributionHoldsTheModulesTheRulesAreAbout() {
        assertTrue(kvbmModules().keySet().containsAll(Set.of(API, CORE, "dev.kvbm.cli", "dev.kvbm.bench",
                "dev.kvbm.tier.host", "dev.kvbm.tier.disk", "dev.kvbm.tier.cuda", "dev.kvbm.transport.zmq",
                "dev.kvbm.nativeio.libc")), kvbmModules().keySet().toString());
    }

    @Test
    void theApiRequiresJavaBaseOnly() {
        assertEquals(Set.of("java.base"), requires(kvbmModules().get(API)));
    }

    @Test
    void everyPluginRequiresTheApiAndNeitherTheCoreNorAnotherPlugin() {
        List<String> broken = new ArrayList<>();
        for (ModuleDescriptor d : kvbmModules().values()) {
            if (!isPlugin(d.name())) {
                continue;
            }
            Set<String> req = requires(d);
            boolean readsCore = req.contains(CORE);
            if (!req.contains(API)) {
                broken.add(d.name() + " does not require " + API);
            }
            if (readsCore) {
                broken.add(d.name() + " requires " + CORE);
            }
            for (String r : req) {
                if (r.startsWith("dev.kvbm.") && !r.equals(API) && !r.equals(CORE) && !r.startsWith(NATIVE_PREFIX)) {
                    broken.add(d.name() + " requires " + r + " (a plugin never reads another plugin)");
                }
            }
        }
        assertTrue(broken.isEmpty(), String.join("\n", broken));
    }

    @Test
    void theCoreRequiresNoPluginAndReachesThemThroughServiceLoaderOnly() {
        ModuleDescriptor core = kvbmModules().get(CORE);
        assertEquals(Set.of(API), requires(core).stream().filter(r -> r.startsWith("dev.kvbm.")).collect(Collectors.toSet()));
        assertTrue(core.uses().containsAll(Set.of("dev.kvbm.api.spi.TierProvider", "dev.kvbm.api.spi.TransferEngineProvider",
                "dev.kvbm.api.spi.TransportProvider", "dev.kvbm.api.spi.EngineConnector",
                "dev.kvbm.api.spi.HostMemoryRegistrarProvider", "dev.kvbm.api.spi.KvEventPublisherProvider",
                "dev.kvbm.api.spi.LayoutProvider")),
                core.uses().toString());
    }

    @Test
    void onlyTheCoreDeclaresUses() {
        for (ModuleDescriptor d : kvbmModules().values()) {
            if (!d.name().equals(CORE)) {
                assertTrue(d.uses().isEmpty(), d.name() + " declares uses " + d.uses());
            }
        }
    }

    @Test
    void noKvbmModuleExportsAnInternalPackageAndNativeBindingsExportOnlyToTheirUsers() {
        for (ModuleDescriptor d : kvbmModules().values()) {
            for (ModuleDescriptor.Exports e : d.exports()) {
                assertFalse(e.source().contains(".internal"), d.name() + " exports " + e.source());
                if (d.name().startsWith(NATIVE_PREFIX)) {
                    assertTrue(e.isQualified(), d.name() + " exports " + e.source() + " to everyone");
                }
            }
            assertTrue(d.opens().stream().noneMatch(o -> o.source().contains(".internal") && !o.isQualified()),
                    d.name() + " opens an internal package to everyone");
        }
        assertEquals(Set.of("dev.kvbm.tier.host", "dev.kvbm.tier.disk"),
                kvbmModules().get("dev.kvbm.nativeio.libc").exports().stream().flatMap(e -> e.targets().stream())
                        .collect(Collectors.toSet()));
    }

    /** Every class of {@code module}'s jar that names a class of an {@code internal} package outside {@code own}. */
    static Set<String> foreignInternalReferences(String module, Set<String> own) throws IOException {
        ModuleReference ref = ModuleFinder.of(ModuleSetupIT.LIB).find(module).orElseThrow();
        Set<String> found = new TreeSet<>();
        try (JarFile jar = new JarFile(Path.of(ref.location().orElseThrow()).toFile())) {
            for (JarEntry e : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                ClassModel model = ClassFile.of().parse(jar.getInputStream(e).readAllBytes());
                for (PoolEntry p : model.constantPool()) {
                    if (p instanceof ClassEntry c) {
                        String name = c.asInternalName();
                        int slash = name.lastIndexOf('/');
                        String pkg = slash < 0 ? "" : name.substring(0, slash).replace('/', '.');
                        if (pkg.startsWith("dev.kvbm.") && pkg.contains(".internal") && !own.contains(pkg)) {
                            found.add(e.getName() + " -> " + name);
                        }
                    }
                }
            }
        }
        return found;
    }

    @Test
    void theCliAndTheBenchmarksReferenceNoInternalClassOfAnotherModule() throws IOException {
        for (String module : List.of("dev.kvbm.cli", "dev.kvbm.bench")) {
            Set<String> own = kvbmModules().get(module).packages();
            Set<String> foreign = foreignInternalReferences(module, own);
            assertTrue(foreign.isEmpty(), module + " uses internal classes: " + foreign);
        }
    }

    @Test
    void theInternalReferenceScanSeesWhatIsThere() throws IOException {
        // The core's manager uses the core's internal offload manager: counted as foreign when nothing is "own".
        assertTrue(foreignInternalReferences(CORE, Set.of()).stream()
                .anyMatch(r -> r.endsWith("dev/kvbm/core/internal/offload/OffloadManager")), "the scan finds nothing");
    }

    @Test
    void theCliAndTheBenchmarksRequireTheOptionalModulesStatically() {
        Set<String> optional = Set.of("dev.kvbm.tier.host", "dev.kvbm.tier.disk", "dev.kvbm.tier.cuda",
                "dev.kvbm.transport.zmq", "dev.kvbm.bench");
        for (String module : List.of("dev.kvbm.cli", "dev.kvbm.bench")) {
            for (ModuleDescriptor.Requires r : kvbmModules().get(module).requires()) {
                if (optional.contains(r.name())) {
                    assertTrue(r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC),
                            module + " requires " + r.name() + " without static: removing its jar breaks the CLI");
                }
            }
        }
    }
}
