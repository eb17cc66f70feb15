package dev.kvbm.tier.disk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fault: SIGTERM or SIGINT to a process that holds G3 files open mid-copy, in a cache directory it created.
 * Holds: its files and the directories it created are gone once it exited (SIGKILL is {@link KilledProcessTest}).
 */
@Tag("fault")
class ExitCleanupTest {

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalledProcessLeavesNoFileAndNoDirectoryItCreated(String signal) throws IOException, InterruptedException {
        String modulePath = System.getProperty("jdk.module.path");
        assumeTrue(modulePath != null, "tests run on the module path");
        Path parent = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "signalled");
        Path created = parent.resolve("made-by-the-child");
        Path dir = created.resolve("g3");
        Path log = parent.resolveSibling(parent.getFileName() + ".log");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(SignalsReset.prefix(javaBin.toString(), "--enable-native-access="
                + "dev.kvbm.tier.disk,dev.kvbm.nativeio.libc", "-p", modulePath, "-m",
                "dev.kvbm.tier.disk/dev.kvbm.tier.disk.DiskCopyProbe", dir.toString(), "4096", "1048576", "posix", "16",
                "4", "1000000")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            List<Path> files = List.of();
            for (int i = 0; i < 300 && files.isEmpty() && child.isAlive(); i++) { // at most 30 s
                Thread.sleep(100);
                files = list(dir);
            }
            assertEquals(1, files.size(), "the child created its cache file: " + Files.readString(log));
            assertEquals("rwx------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(created)), "created 0700");
            SignalsReset.assumeHandled(child.pid(), signal);
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).start().waitFor());
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "SIG" + signal + " ends the process");
            assertFalse(Files.exists(files.getFirst()), "SIG" + signal + " unlinked " + files.getFirst());
            assertFalse(Files.exists(created), "and removed the directories it created");
            assertTrue(Files.isDirectory(parent), "but not the one that was there");
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
            try (Stream<Path> left = Files.walk(parent)) {
                for (Path p : left.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            Files.deleteIfExists(log);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("kvbm-g3-")).toList();
        }
    }
}
