package dev.kvbm.engine.jlama.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * Whether Jlama can run in this JVM, probed once: {@code jdk.incubator.vector} in the boot layer,
 * Jlama's classes on the class path, and the pinned Jlama version.
 */
final class JlamaProbe {

    /** The Jlama version this connector reads the KV buffer of. */
    static final String PINNED_VERSION = "0.8.4";

    static final String VECTOR_MODULE = "jdk.incubator.vector";

    private static final String FLAGS = "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED";

    private static final Optional<String> CAUSE = probe(JlamaProbe.class.getClassLoader(),
            name -> ModuleLayer.boot().findModule(name).isPresent());

    private JlamaProbe() {
    }

    /** Empty when Jlama can run; otherwise why not. */
    static Optional<String> cause() {
        return CAUSE;
    }

    /**
     * Probes through {@code loader} (where Jlama's classes must be) with {@code bootModule} telling whether
     * a module is in the boot layer; separate arguments so tests can take each away.
     */
    static Optional<String> probe(ClassLoader loader, Predicate<String> bootModule) {
        if (!bootModule.test(VECTOR_MODULE)) {
            return Optional.of("the JVM was started without the module " + VECTOR_MODULE
                    + " (Jlama's Vector API code); start it with " + FLAGS + " (./kvbm adds them to commands naming "
                    + "jlama, or to every command with KVBM_JLAMA=1)");
        }
        try {
            Class.forName("jdk.incubator.vector.FloatVector", false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.of(VECTOR_MODULE + " is not readable from the class path (" + e
                    + "); start the JVM with " + FLAGS);
        }
        for (String name : new String[] {"com.github.tjake.jlama.model.AbstractModel",
                "com.github.tjake.jlama.tensor.KvBufferCache", "com.github.tjake.jlama.model.ModelSupport"}) {
            try {
                Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                return Optional.of("Jlama's classes are missing (" + e + "): put com.github.tjake:jlama-core:"
                        + PINNED_VERSION + " and jlama-native:" + PINNED_VERSION + ":linux-x86_64 with their "
                        + "dependencies on the class path (the distribution's classpath/ folder)");
            }
        }
        String version = version(loader);
        if (!PINNED_VERSION.equals(version)) {
            return Optional.of("Jlama " + version + " is on the class path; this connector reads the KV buffer of "
                    + "Jlama " + PINNED_VERSION + " only");
        }
        return Optional.empty();
    }

    private static String version(ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream("META-INF/maven/com.github.tjake/jlama-core/pom.properties")) {
            if (in == null) {
                return "of unknown version (no pom.properties in jlama-core)";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "of unknown version");
        } catch (IOException e) {
            return "of unreadable version (" + e + ")";
        }
    }
}
