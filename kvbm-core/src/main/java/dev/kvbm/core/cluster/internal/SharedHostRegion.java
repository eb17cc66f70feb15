package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.StorageKind;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Host memory several worker processes on one host map: rank 0's G2 in replicated mode, which the other
 * ranks read to onboard ("broadcast through host memory"). A file under a shared directory ({@code /dev/shm}
 * by default) is mapped by every rank; a pointer file names the current one and its owner process, so a rank
 * never reads a region whose owner is gone or was replaced.
 */
public final class SharedHostRegion implements HostMemoryStorage {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment segment;
    private final Path file;
    private final Path pointer;
    private final boolean owner;
    private final Owner ownerProcess;
    private volatile boolean closed;

    /** The process that created a region: pid and start time (a pid can be reused, a start time cannot). */
    public record Owner(long pid, long startMillis) {
        static Owner self() {
            ProcessHandle h = ProcessHandle.current();
            return new Owner(h.pid(), h.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L));
        }

        public boolean alive() {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .map(h -> h.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L) == startMillis).orElse(false);
        }
    }

    private SharedHostRegion(Path file, Path pointer, long size, boolean owner, Owner ownerProcess) {
        this.file = file;
        this.pointer = pointer;
        this.owner = owner;
        this.ownerProcess = ownerProcess;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (owner) {
                ch.truncate(0);
                ch.write(java.nio.ByteBuffer.allocate(1), size - 1); // sized; untouched pages read as zeros
            } else if (ch.size() != size) {
                throw new KvbmException(ErrorCode.ALLOCATION_FAILED, file + " holds " + ch.size() + " bytes, expected " + size);
            }
            segment = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
        } catch (IOException e) {
            arena.close();
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot map " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Rank 0: creates a fresh region of {@code size} bytes and publishes it under {@code pointer}. */
    public static SharedHostRegion create(Path dir, String name, long size) {
        Owner self = Owner.self();
        removeOrphans(dir, name);
        Path file = dir.resolve(name + "-" + self.pid() + "-" + System.nanoTime() + ".shm");
        Path pointer = dir.resolve(name + ".current");
        try {
            Files.createFile(file);
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot create " + file + ": " + e.getMessage(), e);
        }
        SharedHostRegion r;
        try {
            r = new SharedHostRegion(file, pointer, size, true, self);
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // best effort
            }
            throw e;
        }
        try {
            Path tmp = dir.resolve(name + ".current.tmp-" + self.pid());
            Files.writeString(tmp, "file=" + file.getFileName() + "\npid=" + self.pid() + "\nstart=" + self.startMillis()
                    + "\nbytes=" + size + "\n");
            Files.move(tmp, pointer, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            r.close();
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot publish " + pointer + ": " + e.getMessage(), e);
        }
        return r;
    }

    /** Regions left by a rank 0 that was killed (its pid, in the name, is gone): memory nobody frees otherwise. */
    private static void removeOrphans(Path dir, String name) {
        java.util.regex.Pattern own = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(name) + "-(\\d+)-\\d+\\.shm");
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                java.util.regex.Matcher m = own.matcher(f.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).map(h -> !h.isAlive()).orElse(true)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.getLogger(SharedHostRegion.class.getName()).log(System.Logger.Level.DEBUG, "orphan clean-up: " + e);
        }
    }

    /**
     * Other ranks: the region {@code name} published by a live owner with exactly {@code size} bytes, if there
     * is one now.
     */
    public static Optional<SharedHostRegion> open(Path dir, String name, long size) {
        Path pointer = dir.resolve(name + ".current");
        Map<String, String> p = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(pointer)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    p.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            Owner o = new Owner(Long.parseLong(p.get("pid")), Long.parseLong(p.get("start")));
            if (!o.alive() || Long.parseLong(p.get("bytes")) != size) {
                return Optional.empty();
            }
            Path file = dir.resolve(p.get("file"));
            if (!file.getParent().equals(dir) || !Files.exists(file)) {
                return Optional.empty();
            }
            return Optional.of(new SharedHostRegion(file, pointer, size, false, o));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not published yet, or being replaced: the caller polls
        }
    }

    /** The process whose region this is (rank 0). */
    public Owner owner() {
        return ownerProcess;
    }

    @Override
    public StorageKind kind() {
        return StorageKind.SYSTEM;
    }

    @Override
    public long size() {
        return segment.byteSize();
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        arena.close();
        if (owner) {
            try {
                Files.deleteIfExists(file);
                if (Files.exists(pointer) && Files.readString(pointer).contains("file=" + file.getFileName() + "\n")) {
                    Files.deleteIfExists(pointer);
                }
            } catch (IOException ignored) {
                // a file in a temporary directory
            }
        }
    }
}
