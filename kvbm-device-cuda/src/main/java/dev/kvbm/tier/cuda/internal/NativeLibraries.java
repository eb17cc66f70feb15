package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * Makes JCuda's JNI libraries loadable on the module path. JCuda's loader first tries
 * {@code System.loadLibrary}, then reads {@code /lib/<file>} through {@code LibUtils.class.getResourceAsStream},
 * which on the module path only searches the {@code jcuda} module, not the natives jar; failing that it would
 * give up. But before reading the resource it checks {@code <java.io.tmpdir>/<file>} and loads that file when it
 * exists. So kvbm extracts the library there itself (atomically, and only when absent or different), from
 * wherever the natives jar is: the {@code jcuda.natives} module, the class path, or the jar beside JCuda's.
 */
final class NativeLibraries {
    /** The JCuda version the natives must match (JCuda's loader builds the file name from it). */
    static final String JCUDA_VERSION = "12.6.0";
    static final String DRIVER = "libJCudaDriver-" + JCUDA_VERSION + "-linux-x86_64.so";
    static final String NVRTC = "libJNvrtc-" + JCUDA_VERSION + "-linux-x86_64.so";
    static final String NATIVES_JAR = "jcuda-natives-" + JCUDA_VERSION + "-linux-x86_64.jar";
    static final String NATIVES_MODULE = "jcuda.natives";

    private NativeLibraries() {
    }

    /** Only Linux x86-64 natives are shipped; elsewhere the cause says so. */
    static Optional<String> platformProblem(String osName, String osArch) {
        boolean linux = osName.toLowerCase(java.util.Locale.ROOT).startsWith("linux");
        boolean x64 = osArch.equals("amd64") || osArch.equals("x86_64");
        return linux && x64 ? Optional.empty() : Optional.of("kvbm ships JCuda natives for linux-x86_64 only (this is "
                + osName + "/" + osArch + ")");
    }

    /**
     * Extracts {@code file} into JCuda's temp directory unless an identical copy is there; returns its path.
     * Fails with {@code NATIVE_FAILURE} naming where it looked when the natives jar cannot be found.
     */
    static Path ensureExtracted(String file) {
        byte[] bytes = read(file).orElseThrow(() -> new KvbmException(ErrorCode.NATIVE_FAILURE, "JCuda's native library "
                + file + " was not found: looked in module " + NATIVES_MODULE + ", on the class path and for "
                + NATIVES_JAR + " beside the jcuda jar; add org.jcuda:jcuda-natives:" + JCUDA_VERSION
                + ":linux-x86_64 to the module path"));
        return extract(bytes, Path.of(System.getProperty("java.io.tmpdir")).resolve(file));
    }

    /** Writes {@code bytes} to {@code target} through a temp file and an atomic move, unless identical bytes are there. */
    static Path extract(byte[] bytes, Path target) {
        try {
            if (Files.isRegularFile(target) && Files.size(target) == bytes.length
                    && Arrays.equals(sha256(Files.readAllBytes(target)), sha256(bytes))) {
                return target;
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, "cannot extract JCuda's native library to " + target
                    + ": " + e, e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The library's bytes from the natives module, the class path, or the natives jar beside JCuda's jar. */
    static Optional<byte[]> read(String file) {
        String resource = "lib/" + file;
        try {
            Optional<Module> natives = ModuleLayer.boot().findModule(NATIVES_MODULE);
            if (natives.isPresent()) {
                try (InputStream in = natives.get().getResourceAsStream(resource)) {
                    if (in != null) {
                        return Optional.of(in.readAllBytes());
                    }
                }
            }
            try (InputStream in = ClassLoader.getSystemResourceAsStream(resource)) {
                if (in != null) {
                    return Optional.of(in.readAllBytes());
                }
            }
            Optional<Path> jar = besideJCuda();
            if (jar.isPresent()) {
                return readFromJar(jar.get(), resource);
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    static Optional<byte[]> readFromJar(Path jar, String resource) throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            ZipEntry e = jf.getEntry(resource);
            if (e == null) {
                return Optional.empty();
            }
            try (InputStream in = jf.getInputStream(e)) {
                return Optional.of(in.readAllBytes());
            }
        }
    }

    /** The natives jar in the directory of the jcuda jar (the distribution's lib/) or its Maven repository sibling. */
    private static Optional<Path> besideJCuda() {
        try {
            var source = jcuda.driver.JCudaDriver.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Optional.empty();
            }
            Path jcudaJar = Path.of(source.getLocation().toURI());
            Path dir = jcudaJar.getParent();
            for (Path candidate : new Path[] {dir.resolve(NATIVES_JAR),
                    dir.getParent().getParent().resolve("jcuda-natives").resolve(JCUDA_VERSION).resolve(NATIVES_JAR)}) {
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
            return Optional.empty();
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
