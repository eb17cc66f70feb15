package dev.kvbm.core.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The host memory a process may still take: what replays and workers check a tier's size against first. */
public final class HostMemory {
    private HostMemory() {
    }

    /** {@code MemAvailable} of {@code /proc/meminfo} in bytes; empty where there is none (not Linux, unreadable). */
    public static OptionalLong available() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or unreadable: no check
        }
        return OptionalLong.empty();
    }
}
