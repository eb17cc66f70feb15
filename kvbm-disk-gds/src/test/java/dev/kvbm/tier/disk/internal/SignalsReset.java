package dev.kvbm.tier.disk.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child started from a background job inherits SIGINT as ignored, and a JVM keeps an ignored SIGINT ignored
 * (no shutdown on it): coreutils' {@code env --default-signal} restores the default before the child starts.
 */
final class SignalsReset {
    private SignalsReset() {
    }

    static List<String> prefix(String... command) {
        List<String> all = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/env")) && supported()) {
            all.addAll(List.of("/usr/bin/env", "--default-signal=INT,TERM"));
        }
        all.addAll(List.of(command));
        return all;
    }

    private static boolean supported() {
        try {
            return new ProcessBuilder("/usr/bin/env", "--default-signal=INT", "true").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Skips (naming why) when {@code pid} ignores the signal: it could not reach the JVM's shutdown. */
    static void assumeHandled(long pid, String signal) throws IOException {
        int number = signal.equals("INT") ? 2 : 15;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                assumeTrue((mask & (1L << (number - 1))) == 0, "SIG" + signal + " is ignored by the test's process tree "
                        + "and env --default-signal is not available to restore it");
            }
        }
    }
}
