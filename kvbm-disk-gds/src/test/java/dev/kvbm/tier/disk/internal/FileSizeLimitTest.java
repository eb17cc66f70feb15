package dev.kvbm.tier.disk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fault: a file-size limit below the G3 file (RLIMIT_FSIZE through {@code prlimit}, on a child process: the
 * stand-in for a full disk where no tmpfs can be mounted; HotSpot ignores SIGXFSZ, so the write fails with EFBIG
 * instead of killing the JVM). Holds: the allocation fails naming the limit, and no file is left behind.
 */
@Tag("fault")
class FileSizeLimitTest {

    @Test
    void aFileSizeLimitBelowTheG3FileFailsItsAllocationNamingTheLimitAndLeavesNoFile() throws Exception {
        String modulePath = System.getProperty("jdk.module.path");
        assumeTrue(modulePath != null, "tests run on the module path");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "no prlimit (util-linux) to set RLIMIT_FSIZE");
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "fsize");
        Path log = dir.resolveSibling(dir.getFileName() + ".log");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            Process child = new ProcessBuilder("/usr/bin/prlimit", "--fsize=" + (8 << 20), javaBin.toString(),
                    "--enable-native-access=dev.kvbm.tier.disk,dev.kvbm.nativeio.libc", "-p", modulePath, "-m",
                    "dev.kvbm.tier.disk/dev.kvbm.tier.disk.DiskCopyProbe", dir.toString(), "4096",
                    Integer.toString(16 << 20), "posix", "16", "4", "1").redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            String out = Files.readString(log);
            assertNotEquals(0, child.exitValue(), out);
            assertTrue(out.contains("EFBIG: RLIMIT_FSIZE"), "the error names the limit: " + out);
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.toList(), "no file is left behind");
            }
        } finally {
            try (Stream<Path> left = Files.walk(dir)) {
                for (Path p : left.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            Files.deleteIfExists(log);
        }
    }
}
