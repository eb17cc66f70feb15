package dev.kvbm.tier.disk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.nativeio.libc.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A process killed with SIGKILL cannot unlink its cache file; the next tier in that directory removes it. */
@Tag("fault")
class KilledProcessTest {

    @Test
    void theFileOfAKilledProcessIsRemovedAtTheNextStart() throws IOException, InterruptedException {
        String modulePath = System.getProperty("jdk.module.path");
        assumeTrue(modulePath != null, "tests run on the module path");
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "killed");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // DiskCopyProbe holds a tier file open while it copies, for a long time with this many runs.
        Process child = new ProcessBuilder(java.toString(), "--enable-native-access=dev.kvbm.tier.disk,dev.kvbm.nativeio.libc", "-p",
                modulePath, "-m", "dev.kvbm.tier.disk/dev.kvbm.tier.disk.DiskCopyProbe", dir.toString(), "4096",
                "1048576", "posix", "16", "4", "1000000").redirectErrorStream(true)
                .redirectOutput(dir.resolveSibling(dir.getFileName() + ".log").toFile()).start();
        try {
            List<Path> files = List.of();
            for (int i = 0; i < 300 && files.isEmpty() && child.isAlive(); i++) { // at most 30 s
                Thread.sleep(100);
                files = list(dir);
            }
            assertEquals(1, files.size(), "the child created its cache file");
            child.destroyForcibly(); // SIGKILL: no close, no unlink
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertTrue(Files.exists(files.getFirst()), "a killed process leaves its file behind");
            try (DiskAllocator next = new DiskAllocator(dir, true, false, Long.MAX_VALUE, LibC::fallocate)) {
                assertEquals(1, next.removedStale());
            }
            assertFalse(Files.exists(files.getFirst()), "removed at the next start");
        } finally {
            child.destroyForcibly();
            for (Path f : list(dir)) {
                Files.delete(f);
            }
            Files.delete(dir);
            Files.deleteIfExists(dir.resolveSibling(dir.getFileName() + ".log"));
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("kvbm-g3-")).toList();
        }
    }
}
