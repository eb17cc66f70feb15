package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.spi.AccountingStorageAllocator;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tier.disk.DiskTierOptions;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hands out cache files in one directory: each created with mode 0600, opened with O_DIRECT (unless
 * disabled), preallocated with {@code fallocate} (zero-filled where the file system refuses and the
 * fallback is on, else left sparse with a warning), and unlinked when closed. The free space of the file
 * system is checked before anything is written. Files left behind by a killed process are removed when
 * an allocator is created in the same directory.
 */
final class DiskAllocator extends AccountingStorageAllocator {
    private static final System.Logger LOG = System.getLogger(DiskAllocator.class.getName());
    private static final Pattern FILE_NAME = Pattern.compile(
            Pattern.quote(DiskTierOptions.FILE_PREFIX) + "(\\d+)-(\\d+)-(\\d+)\\.kv");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final long ZERO_FILL_BUFFER = 16L << 20;
    static final long PROCESS_START_MILLIS = ProcessHandle.current().info().startInstant()
            .map(java.time.Instant::toEpochMilli).orElse(0L);

    /** fallocate as a seam: tests stand in for file systems that refuse it. */
    interface Preallocator {
        /** 0, or {@code -errno}. */
        int fallocate(int fd, long offset, long length);
    }

    private final Path dir;
    private final boolean direct;
    private final boolean zeroFill;
    private final int ioAlignment;
    private final Preallocator preallocator;
    private final int removedStale;
    private final List<Path> created;

    DiskAllocator(Path dir, boolean direct, boolean zeroFill, long limit, Preallocator preallocator) {
        super(StorageKind.DISK, limit, DiskTierOptions.LIMIT_BYTES);
        this.dir = dir;
        this.direct = direct;
        this.zeroFill = zeroFill;
        this.preallocator = preallocator;
        this.created = createDirectories(dir);
        if (!Files.isWritable(dir)) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, ConfigKeys.DISK_CACHE_DIR, ConfigKeys.DISK_CACHE_DIR
                    + " must name a writable directory (got " + dir + ", which this user cannot write)");
        }
        this.ioAlignment = probeAlignment(dir);
        this.removedStale = removeStaleFiles(dir);
    }

    /**
     * Creates what is missing of {@code dir}, each directory mode 0700 (the cache holds the KV of other users'
     * prompts), and returns the ones it created, outermost first: closing the allocator removes them again when
     * empty, so a mistyped {@code DYN_KVBM_DISK_CACHE_DIR} leaves no tree behind. An existing file in the way is a
     * configuration error.
     */
    static List<Path> createDirectories(Path dir) {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.isDirectory(p); p = p.getParent()) {
            if (Files.exists(p)) {
                throw KvbmException.forField(ErrorCode.INVALID_CONFIG, ConfigKeys.DISK_CACHE_DIR, ConfigKeys.DISK_CACHE_DIR
                        + " must name a directory, but " + p + " is a file");
            }
            missing.addFirst(p);
        }
        List<Path> made = new ArrayList<>();
        try {
            for (Path p : missing) {
                Files.createDirectory(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                made.add(p);
                ExitCleanup.directory(p);
            }
        } catch (IOException e) {
            ExitCleanup.removeEmpty(made);
            made.forEach(ExitCleanup::directoryRemoved);
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, ConfigKeys.DISK_CACHE_DIR, "cannot create the disk "
                    + "cache directory " + dir + " (" + ConfigKeys.DISK_CACHE_DIR + "): " + e.getMessage());
        }
        return List.copyOf(made);
    }

    /** Closes every file, then removes the directories this allocator created if nothing else is in them. */
    @Override
    public void close() {
        try {
            super.close();
        } finally {
            ExitCleanup.removeEmpty(created);
            created.forEach(ExitCleanup::directoryRemoved);
        }
    }

    /** The directories this allocator created, outermost first (empty when the directory existed). */
    List<Path> createdDirectories() {
        return created;
    }

    /** The file system's block size, which the JDK also checks O_DIRECT transfers against; 4096 if odd. */
    static int probeAlignment(Path dir) {
        try {
            long b = Files.getFileStore(dir).getBlockSize();
            if (b >= 512 && b <= 65536 && Long.bitCount(b) == 1) {
                return (int) b;
            }
        } catch (IOException | UnsupportedOperationException e) {
            // fall through to the default
        }
        return 4096;
    }

    /** Deletes cache files whose owning process (pid and start time in the name) is gone. */
    static int removeStaleFiles(Path dir) {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, DiskTierOptions.FILE_PREFIX + "*.kv")) {
            for (Path f : files) {
                Matcher m = FILE_NAME.matcher(f.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long pid = Long.parseLong(m.group(1));
                long start = Long.parseLong(m.group(2));
                if (alive(pid, start)) {
                    continue;
                }
                try {
                    if (Files.deleteIfExists(f)) {
                        removed++;
                    }
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot remove stale cache file " + f + ": " + e);
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot scan " + dir + " for stale cache files: " + e);
        }
        if (removed > 0) {
            LOG.log(System.Logger.Level.INFO, "removed " + removed + " stale G3 cache file(s) of ended processes from " + dir);
        }
        return removed;
    }

    /** A pid alone could have been reused: the start time tells the original process from a newcomer. */
    private static boolean alive(long pid, long startMillis) {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
            return false;
        }
        Optional<Long> actual = p.get().info().startInstant().map(java.time.Instant::toEpochMilli);
        return actual.isEmpty() || startMillis == 0 || Math.abs(actual.get() - startMillis) < 1000;
    }

    static String fileName(long pid, long startMillis, int sequence) {
        return DiskTierOptions.FILE_PREFIX + pid + "-" + startMillis + "-" + sequence + ".kv";
    }

    int removedStale() {
        return removedStale;
    }

    int ioAlignment() {
        return ioAlignment;
    }

    Path directory() {
        return dir;
    }

    /** Whole logical blocks, so an O_DIRECT read of the last block never runs past the end of the file. */
    @Override
    protected long reservation(long bytes, long alignment) {
        long unit = Math.max(ioAlignment, 4096);
        return Math.addExact(bytes, unit - 1) / unit * unit;
    }

    @Override
    protected Storage allocateReserved(long bytes, long alignment, long size) {
        Path path = dir.resolve(fileName(ProcessHandle.current().pid(), PROCESS_START_MILLIS,
                SEQUENCE.getAndIncrement()));
        int fd = -1;
        FileChannel channel = null;
        boolean created = false;
        try {
            checkFreeSpace(size);
            Files.createFile(path, PosixFilePermissions.asFileAttribute(Set.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE)));
            created = true;
            ExitCleanup.file(path);
            fd = LibC.open(path.toString(), LibC.O_RDWR | LibC.O_CLOEXEC | (direct ? LibC.O_DIRECT : 0), 0600);
            if (fd < 0) {
                String hint = direct && fd == -LibC.EINVAL ? "; the file system refuses O_DIRECT: set "
                        + ConfigKeys.DISK_DISABLE_O_DIRECT + "=true" : "";
                throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot open " + path + ": "
                        + LibC.errnoName(fd) + hint);
            }
            List<OpenOption> opts = new ArrayList<>(List.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
            if (direct) {
                opts.add(com.sun.nio.file.ExtendedOpenOption.DIRECT);
            }
            channel = FileChannel.open(path, opts.toArray(OpenOption[]::new));
            preallocate(path, fd, channel, size);
            return new DiskFileStorage(path, channel, fd, size, ioAlignment, direct, this::released);
        } catch (RuntimeException | IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (fd >= 0) {
                LibC.close(fd);
            }
            if (created) {
                try {
                    Files.deleteIfExists(path);
                    ExitCleanup.fileRemoved(path);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof KvbmException k) {
                throw k;
            }
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot create the G3 cache file " + path + ": " + e, e);
        }
    }

    private void checkFreeSpace(long size) throws IOException {
        FileStore store = Files.getFileStore(dir);
        long free = store.getUsableSpace();
        if (size > free) {
            // The tier does not know which option or variable sized it; the caller's preflight names that one.
            throw KvbmException.forField(ErrorCode.ALLOCATION_FAILED, "g3Blocks", String.format(
                    "the G3 file needs %d bytes (%.2f GB) but %s (%s) has %d bytes (%.2f GB) free; make G3 smaller or "
                            + "point %s elsewhere", size, size / 1e9, dir, store.type(), free, free / 1e9,
                    ConfigKeys.DISK_CACHE_DIR));
        }
    }

    private void preallocate(Path path, int fd, FileChannel channel, long size) throws IOException {
        int rc = preallocator.fallocate(fd, 0, size);
        if (rc == 0) {
            return;
        }
        if (rc == -LibC.EOPNOTSUPP) {
            if (zeroFill) {
                zeroFill(channel, size);
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "the file system of " + dir + " refuses fallocate; " + path
                    + " stays sparse and may fail writes when the disk fills (set " + ConfigKeys.DISK_ZEROFILL_FALLBACK
                    + " to write zeros instead)");
            int t = LibC.ftruncate(fd, size);
            if (t != 0) {
                throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "ftruncate(" + path + ", " + size + "): "
                        + LibC.errnoName(t));
            }
            return;
        }
        String why = rc == -LibC.ENOSPC ? "the file system is full (ENOSPC)"
                : rc == -LibC.EFBIG ? "the file would pass this process's file-size limit (EFBIG: RLIMIT_FSIZE, ulimit -f)"
                : LibC.errnoName(rc);
        throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "fallocate(" + path + ", " + size + " bytes) failed: " + why);
    }

    /** Writes zeros through an aligned buffer (valid under O_DIRECT); a short or failed write fails the file. */
    private static void zeroFill(FileChannel channel, long size) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            long n = Math.min(ZERO_FILL_BUFFER, size);
            MemorySegment zeros = arena.allocate(n, 4096);
            long pos = 0;
            while (pos < size) {
                ByteBuffer b = zeros.asSlice(0, Math.min(n, size - pos)).asByteBuffer();
                while (b.hasRemaining()) {
                    int w = channel.write(b, pos + b.position());
                    if (w <= 0) {
                        throw new IOException("zero-fill wrote nothing at offset " + (pos + b.position()));
                    }
                }
                pos += b.limit();
            }
        }
    }
}
