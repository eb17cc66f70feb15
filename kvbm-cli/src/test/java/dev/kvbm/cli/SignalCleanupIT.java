package dev.kvbm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fault (issue 15 item 3): SIGTERM or SIGINT to the {@code ./kvbm} process of a replay with G3, while the G3 file is
 * open. Holds: the {@code kvbm-g3-<pid>-...kv} file and the cache directory the replay created
 * ({@code DYN_KVBM_DISK_CACHE_DIR} that did not exist) are gone once it exited; nothing waits for a later run.
 */
@Tag("fault")
class SignalCleanupIT {

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalledReplayLeavesNoG3FileAndNoDirectoryItCreated(String signal) throws Exception {
        Path parent = Files.createTempDirectory("kvbm-signal");
        Path created = parent.resolve("nonexistent");
        Path cacheDir = created.resolve("dir");
        Path out = parent.resolveSibling(parent.getFileName() + ".out");
        List<String> command = new ArrayList<>();
        if (new ProcessBuilder("/usr/bin/env", "--default-signal=INT", "true").start().waitFor() == 0) {
            // A test started from a background job inherits SIGINT ignored, which a JVM keeps: restore the default.
            command.addAll(List.of("/usr/bin/env", "--default-signal=INT,TERM"));
        }
        // --serve-after holds the manager, and with it the G3 file, open after the report: a signal finds it open.
        command.addAll(List.of(KvbmLauncherIT.ROOT.resolve("kvbm").toString(), "replay", "--requests", "20",
                "--block-bytes", "65536", "--g1-blocks", "64", "--g2-blocks", "64", "--g3-blocks", "256",
                "--metrics-port", "0", "--serve-after", "120", "--no-progress"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(KvbmLauncherIT.ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("KVBM_NO_BUILD", "1");
        pb.environment().put("DYN_KVBM_DISK_CACHE_DIR", cacheDir.toString());
        Process p = pb.start();
        try {
            List<Path> files = List.of();
            for (int i = 0; i < 600 && p.isAlive() && !(Files.readString(out).contains("hit rate") && !files.isEmpty());
                 i++) {
                Thread.sleep(100);
                files = g3Files(cacheDir);
            }
            assertTrue(p.isAlive(), "the replay is still serving: " + Files.readString(out));
            assertEquals(1, files.size(), "one G3 file while it runs: " + files);
            assertTrue(files.getFirst().getFileName().toString().startsWith("kvbm-g3-" + p.pid() + "-"),
                    "the ./kvbm process is the JVM that owns it (the launcher execs all the way down)");
            assumeHandled(p.pid(), signal);
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "SIG" + signal + " ends the replay");
            assertFalse(Files.exists(files.getFirst()), "SIG" + signal + " unlinked " + files.getFirst());
            assertFalse(Files.exists(created), "the cache directory the replay created is gone too: "
                    + Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            try (Stream<Path> left = Files.walk(parent)) {
                for (Path f : left.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
            Files.deleteIfExists(out);
        }
    }

    private static List<Path> g3Files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().startsWith("kvbm-g3-")).toList();
        }
    }

    /** Skips, naming why, when the process ignores the signal (then it cannot reach the JVM's shutdown hooks). */
    static void assumeHandled(long pid, String signal) throws IOException {
        int number = signal.equals("INT") ? 2 : 15;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                assumeTrue((mask & (1L << (number - 1))) == 0, "SIG" + signal + " is ignored by the test's process "
                        + "tree and env --default-signal is not available to restore it");
            }
        }
    }
}
