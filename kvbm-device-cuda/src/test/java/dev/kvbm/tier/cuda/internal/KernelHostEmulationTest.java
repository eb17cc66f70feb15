package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped kernel source, compiled as C++ with the CUDA built-ins stubbed and its grid run thread by thread on
 * the CPU: checks the pointer-table indexing (sources then targets) and both the 16-byte and the byte path.
 * Needs g++ (skipped without it); NVRTC compilation itself needs CUDA (CudaGpuTest).
 */
class KernelHostEmulationTest {

    @Test
    void theKernelCopiesEveryPairThroughItsTables(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/g++")), "g++ is not installed");
        Files.writeString(dir.resolve("batched_copy.cu"), BatchedCopyKernel.source());
        try (InputStream in = getClass().getResourceAsStream("batched_copy_host_emulation.cpp")) {
            Files.write(dir.resolve("emulation.cpp"), in.readAllBytes());
        }
        assertEquals("", run(dir, "/usr/bin/g++", "-std=c++17", "-Wall", "-Werror", "-x", "c++", "emulation.cpp",
                "-o", "emulation"));
        assertEquals("ok\n", run(dir, dir.resolve("emulation").toString()));
    }

    private static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
