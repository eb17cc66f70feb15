package dev.kvbm.engine.jlama.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.providers.ProviderStatus;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JlamaProbeTest {

    @Test
    void availableInThisTestJvm() {
        JlamaConnector c = new JlamaConnector();
        assertEquals(Optional.empty(), c.unavailabilityCause(), "surefire starts this JVM with the flags Jlama needs");
        assertTrue(c.isAvailable());
    }

    @Test
    void aJvmWithoutTheVectorModuleIsToldTheFlag() {
        String cause = JlamaProbe.probe(JlamaProbe.class.getClassLoader(), module -> false).orElseThrow();
        assertEquals("the JVM was started without the module jdk.incubator.vector (Jlama's Vector API code); start it "
                + "with --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED (./kvbm adds them to "
                + "commands naming jlama, or to every command with KVBM_JLAMA=1)", cause);
    }

    @Test
    void missingJlamaClassesAreNamed() throws IOException {
        URL connector = JlamaConnector.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader bare = new URLClassLoader(new URL[] {connector}, ClassLoader.getPlatformClassLoader())) {
            String cause = JlamaProbe.probe(bare, module -> true).orElseThrow();
            assertTrue(cause.startsWith("Jlama's classes are missing (java.lang.ClassNotFoundException: "
                    + "com.github.tjake.jlama.model.AbstractModel)"), cause);
            assertTrue(cause.contains("com.github.tjake:jlama-core:0.8.4"), cause);
        }
    }

    @Test
    void anotherJlamaVersionIsRefused(@TempDir Path tmp) throws IOException {
        Path props = tmp.resolve("META-INF/maven/com.github.tjake/jlama-core/pom.properties");
        Files.createDirectories(props.getParent());
        Files.writeString(props, "version=0.9.0\n");
        // Child-first for that one resource, so the fake version shadows the real jar's.
        ClassLoader shadowing = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, JlamaProbe.class.getClassLoader()) {
            @Override
            public URL getResource(String name) {
                URL own = findResource(name);
                return own != null ? own : super.getResource(name);
            }
        };
        assertEquals(Optional.of("Jlama 0.9.0 is on the class path; this connector reads the KV buffer of Jlama 0.8.4 only"),
                JlamaProbe.probe(shadowing, module -> true));
    }

    /** The one kvbm jar without a module-info (Jlama's jars cannot be modules): it must run unnamed. */
    @Test
    void theConnectorRunsOnTheClassPathAndDeclaresItsProvider() throws IOException {
        assertFalse(JlamaConnector.class.getModule().isNamed());
        URL self = JlamaConnector.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader only = new URLClassLoader(new URL[] {self}, null)) {
            assertNull(only.findResource("module-info.class"), "no module-info in " + self);
        }
        try (var in = JlamaConnector.class.getClassLoader()
                .getResourceAsStream("META-INF/services/dev.kvbm.api.spi.EngineConnector")) {
            assertEquals(JlamaConnector.class.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        }
    }

    @Test
    void theRegistryFindsTheClassPathConnectorByNameAndFormat() {
        ProviderRegistry registry = ProviderRegistry.load();
        assertInstanceOf(JlamaConnector.class, registry.connector("jlama"));
        assertInstanceOf(JlamaConnector.class, registry.connectorForFormat("jlama"));
        ProviderStatus s = registry.statuses().stream().filter(p -> p.name().equals("jlama")).findFirst().orElseThrow();
        assertEquals("connector", s.category());
        assertEquals("class path", s.module());
        assertTrue(s.available(), s.cause().toString());
    }
}
