package dev.kvbm.tier.disk.internal;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the disk tier must not leave behind when the JVM ends without closing it (SIGINT, SIGTERM, System.exit):
 * its cache files, then the directories it created, removed by one shutdown hook. Closing a file or an allocator
 * takes it off the list, so the hook only has what is still open. SIGKILL runs no hook: the next allocator in the
 * directory removes the files of processes that are gone (see {@link DiskAllocator}).
 */
final class ExitCleanup {
    private static final Set<Path> FILES = Collections.synchronizedSet(new LinkedHashSet<>());
    private static final List<Path> DIRECTORIES = Collections.synchronizedList(new ArrayList<>());
    private static volatile boolean hooked;

    private ExitCleanup() {
    }

    static void file(Path file) {
        hook();
        FILES.add(file);
    }

    static void fileRemoved(Path file) {
        FILES.remove(file);
    }

    /** A directory this process created, removed at exit once empty (deepest first). */
    static void directory(Path dir) {
        hook();
        DIRECTORIES.add(dir);
    }

    static void directoryRemoved(Path dir) {
        DIRECTORIES.remove(dir);
    }

    /** Removes the directories in {@code created} (outermost first) that are empty, deepest first. */
    static void removeEmpty(List<Path> created) {
        for (Path d : created.reversed()) {
            try {
                Files.deleteIfExists(d);
            } catch (DirectoryNotEmptyException e) {
                return; // someone else's files are in it now: it and its parents stay
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void hook() {
        if (hooked) {
            return;
        }
        synchronized (ExitCleanup.class) {
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("kvbm-g3-exit-cleanup").unstarted(
                        ExitCleanup::run));
                hooked = true;
            }
        }
    }

    private static void run() {
        List<Path> files;
        synchronized (FILES) {
            files = List.copyOf(FILES);
        }
        for (Path f : files) {
            try {
                Files.deleteIfExists(f); // unlinking an open file is fine: the bytes go when the last fd closes
            } catch (IOException e) {
                // the next start in this directory removes it
            }
        }
        List<Path> dirs;
        synchronized (DIRECTORIES) {
            dirs = List.copyOf(DIRECTORIES);
        }
        removeEmpty(dirs);
    }
}
