package dev.kvbm.bench.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * JMH forks its benchmark JVMs with {@code -cp <java.class.path>}. kvbm runs on the module path, so the
 * class path is rebuilt from it: every jar of every module-path directory, and exploded module
 * directories as they are. In the fork the modules are plain class-path code: providers are found
 * through {@code META-INF/services} (every kvbm provider is declared there too), and the JVM flags name
 * {@code ALL-UNNAMED} instead of module names.
 */
public final class ForkClasspath {
    /** The flags the forks need, in their class-path form. */
    public static final List<String> JVM_ARGS = List.of(
            "--sun-misc-unsafe-memory-access=allow",
            "--enable-native-access=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "-Djava.util.logging.config.file=/dev/null",
            "-Xmx3g");

    private ForkClasspath() {
    }

    /** What JMH runs while forking, when it can fail with {@code E}. */
    public interface Run<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs {@code run} with {@code java.class.path} set to {@link #compute()}, then restores it. JMH 1.37 reads
     * the class path of its forks from that property alone ({@code Runner.getForkedMainCommand}), so the runner
     * sets it for the duration of the run; one run at a time, hence synchronized.
     */
    public static synchronized <T, E extends Exception> T whileForking(Run<T, E> run) throws E {
        String saved = System.getProperty("java.class.path");
        System.setProperty("java.class.path", compute());
        try {
            return run.run();
        } finally {
            System.setProperty("java.class.path", saved == null ? "" : saved);
        }
    }

    public static String compute() {
        Set<String> entries = new LinkedHashSet<>();
        for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
            String value = System.getProperty(property, "");
            for (String entry : value.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    expand(Path.of(entry), entries);
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void expand(Path entry, Set<String> out) {
        if (Files.isDirectory(entry)) {
            List<Path> jars = new ArrayList<>();
            try (Stream<Path> files = Files.list(entry)) {
                files.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
            } catch (IOException e) {
                // an unreadable directory contributes nothing
            }
            if (jars.isEmpty()) {
                out.add(entry.toAbsolutePath().toString()); // a class directory
            } else {
                jars.forEach(j -> out.add(j.toAbsolutePath().toString())); // a directory of modules (lib/)
            }
        } else if (Files.exists(entry)) {
            out.add(entry.toAbsolutePath().toString());
        }
    }
}
