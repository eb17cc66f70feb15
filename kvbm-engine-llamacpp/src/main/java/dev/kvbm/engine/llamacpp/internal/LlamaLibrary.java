package dev.kvbm.engine.llamacpp.internal;

import dev.kvbm.engine.llamacpp.LlamaCppOptions;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the pinned llama.cpp build and probes it once per folder: the folder comes from
 * {@value LlamaCppOptions#LIBRARY_DIR_PROPERTY}, else {@value LlamaCppOptions#LIBRARY_DIR_ENV}, else the
 * {@code llama.cpp} folder next to this module's jar (or next to {@code target/classes} in a build). The package's
 * {@code package.json} must name {@value LlamaCppOptions#NPM_PACKAGE} version {@value LlamaCppOptions#NPM_VERSION}:
 * the state blob format this connector parses is that build's.
 */
final class LlamaLibrary {
    static final String LIBRARY_FILE = "libllama.v0.4.0.so";
    private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]*)\"");
    private static final Map<Path, Probe> PROBES = new ConcurrentHashMap<>();

    /** The outcome of probing one folder: a binding, or why there is none. */
    record Probe(Path folder, LlamaCpp binding, String version, String cause) {
        Optional<String> unavailabilityCause() {
            return Optional.ofNullable(cause);
        }
    }

    private LlamaLibrary() {
    }

    /** The configured folder and where the setting came from, for messages. */
    record Location(Path folder, String source) {
    }

    static Location configured() {
        String property = System.getProperty(LlamaCppOptions.LIBRARY_DIR_PROPERTY);
        if (property != null && !property.isBlank()) {
            return new Location(Path.of(property).toAbsolutePath().normalize(),
                    "-D" + LlamaCppOptions.LIBRARY_DIR_PROPERTY);
        }
        String env = System.getenv(LlamaCppOptions.LIBRARY_DIR_ENV);
        if (env != null && !env.isBlank()) {
            return new Location(Path.of(env).toAbsolutePath().normalize(), "$" + LlamaCppOptions.LIBRARY_DIR_ENV);
        }
        return new Location(besideCode(), "the llama.cpp folder next to the kvbm-engine-llamacpp jar");
    }

    private static Path besideCode() {
        try {
            var source = LlamaLibrary.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Path.of("llama.cpp").toAbsolutePath();
            }
            // A jar (lib/kvbm-engine-llamacpp.jar -> lib/llama.cpp) or a class folder (target/classes -> target/llama.cpp).
            return Path.of(source.getLocation().toURI()).toAbsolutePath().getParent().resolve("llama.cpp");
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return Path.of("llama.cpp").toAbsolutePath();
        }
    }

    /** Probes the configured folder (once per folder and JVM: a native library stays loaded). */
    static Probe probe() {
        return probe(configured());
    }

    static Probe probe(Location location) {
        return PROBES.computeIfAbsent(location.folder(), f -> probeUncached(location));
    }

    private static Probe probeUncached(Location location) {
        Path folder = location.folder();
        String where = folder + " (from " + location.source() + ")";
        if (!System.getProperty("os.name", "").startsWith("Linux") || !"amd64".equals(System.getProperty("os.arch"))) {
            return failed(folder, "the pinned llama.cpp build is for Linux x86-64; this is "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
        Path library = folder.resolve(LIBRARY_FILE);
        if (!Files.isReadable(library)) {
            return failed(folder, "no " + LIBRARY_FILE + " in " + where + buildCause(folder)
                    + "; build kvbm-engine-llamacpp where npm reaches the registry (it runs npm pack "
                    + LlamaCppOptions.NPM_PACKAGE + "@" + LlamaCppOptions.NPM_VERSION + ") or set -D"
                    + LlamaCppOptions.LIBRARY_DIR_PROPERTY + " to a folder holding that package's .so files");
        }
        String version;
        try {
            version = checkVersion(folder.resolve("package.json"));
        } catch (IllegalStateException e) {
            return failed(folder, e.getMessage() + " in " + where);
        }
        try {
            LlamaCpp binding = LlamaCpp.load(folder, library);
            return new Probe(folder, binding, version, null);
        } catch (IllegalStateException e) {
            return failed(folder, e.getMessage());
        }
    }

    /** Checks that {@code packageJson} is the pinned npm package; returns its version. */
    static String checkVersion(Path packageJson) {
        String text;
        try {
            text = Files.readString(packageJson);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the npm package.json of the llama.cpp build (" + e
                    + "); the version of the library cannot be checked");
        }
        String name = first(NAME, text);
        String version = first(VERSION, text);
        if (!LlamaCppOptions.NPM_PACKAGE.equals(name) || !LlamaCppOptions.NPM_VERSION.equals(version)) {
            throw new IllegalStateException("llama.cpp build version mismatch: expected npm "
                    + LlamaCppOptions.NPM_PACKAGE + "@" + LlamaCppOptions.NPM_VERSION + ", got " + name + "@" + version
                    + " (the state blob format changes between llama.cpp versions)");
        }
        return version;
    }

    private static String first(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static String buildCause(Path folder) {
        Path missing = folder.resolveSibling("llama.cpp.library.missing");
        try {
            return Files.isReadable(missing) ? " (the build could not fetch it: " + Files.readString(missing).strip()
                    + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static Probe failed(Path folder, String cause) {
        return new Probe(folder, null, null, cause);
    }
}
