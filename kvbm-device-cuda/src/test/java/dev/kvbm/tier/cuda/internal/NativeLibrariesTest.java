package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibrariesTest {

    @Test
    void theNativesJarHoldsTheLibrariesJCudaAsksFor() {
        byte[] driver = NativeLibraries.read(NativeLibraries.DRIVER).orElseThrow();
        byte[] nvrtc = NativeLibraries.read(NativeLibraries.NVRTC).orElseThrow();
        assertTrue(driver.length > 100_000);
        assertTrue(nvrtc.length > 10_000);
        assertEquals(0x7f, driver[0]); // ELF
        assertEquals('E', driver[1]);
    }

    @Test
    void theVersionMatchesTheJCudaJarOnThePath() throws Exception {
        // JCuda's loader builds the file name from its own version; a mismatch would make it ignore ours.
        String version = jcuda.JCudaVersion.get();
        assertEquals(NativeLibraries.JCUDA_VERSION, version);
    }

    @Test
    void extractionWritesOnceAndReplacesDifferentContent(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("libX.so");
        NativeLibraries.extract(new byte[] {1, 2, 3}, target);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(target, old);
        NativeLibraries.extract(new byte[] {1, 2, 3}, target);
        assertEquals(old, Files.getLastModifiedTime(target), "identical content is left alone");
        NativeLibraries.extract(new byte[] {9, 9, 9}, target);
        assertArrayEquals(new byte[] {9, 9, 9}, Files.readAllBytes(target));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temp files left behind");
        }
    }

    @Test
    void onlyLinuxX64IsSupported() {
        assertEquals(Optional.empty(), NativeLibraries.platformProblem("Linux", "amd64"));
        assertTrue(NativeLibraries.platformProblem("Mac OS X", "aarch64").orElseThrow().contains("linux-x86_64 only"));
    }
}
