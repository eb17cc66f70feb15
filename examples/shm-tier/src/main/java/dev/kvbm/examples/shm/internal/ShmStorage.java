package dev.kvbm.examples.shm.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.AbstractStorage;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.examples.shm.ShmOptions;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A region of host memory that is a shared mapping of a file of its own (mode 0600). The file is written with
 * zeros before it is mapped, so a full tmpfs fails the allocation with {@code ALLOCATION_FAILED} instead of a
 * SIGBUS on first touch. Closing unmaps it and removes the file.
 */
final class ShmStorage extends AbstractStorage implements HostMemoryStorage {
    static final long PAGE = 4096;
    private static final long ZERO_CHUNK = 1L << 20;
    private static final System.Logger LOG = System.getLogger(ShmStorage.class.getName());

    private final Path file;
    private final FileChannel channel;
    private final Arena arena;
    private final MemorySegment segment;

    private ShmStorage(Path file, FileChannel channel, Arena arena, MemorySegment segment, Consumer<? super Storage> onClose) {
        super(StorageKind.SYSTEM, onClose);
        this.file = file;
        this.channel = channel;
        this.arena = arena;
        this.segment = segment;
    }

    static long pages(long bytes) {
        return Math.addExact(bytes, PAGE - 1) / PAGE * PAGE;
    }

    /** Creates {@code file}, fills it with zeros, maps it and returns {@code bytes} of it at {@code alignment}. */
    static ShmStorage create(Path file, long bytes, long alignment, Consumer<? super Storage> onClose) {
        long mapped = pages(Math.addExact(bytes, alignment > PAGE ? alignment - PAGE : 0));
        FileChannel channel = null;
        Arena arena = null;
        try {
            long usable = Files.getFileStore(file.getParent()).getUsableSpace();
            if (mapped > usable) {
                throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot map " + mapped + " bytes in " + file.getParent()
                        + ": only " + usable + " bytes are free (lower " + ShmOptions.LIMIT_BYTES + " or enlarge the tmpfs)");
            }
            channel = FileChannel.open(file, Set0600.OPTIONS, Set0600.MODE);
            zeroFill(channel, mapped);
            arena = Arena.ofShared();
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_WRITE, 0, mapped, arena);
            long skew = Long.remainderUnsigned(-whole.address(), alignment);
            return new ShmStorage(file, channel, arena, whole.asSlice(skew, bytes), onClose);
        } catch (IOException | RuntimeException e) {
            if (arena != null) {
                arena.close();
            }
            closeQuietly(channel);
            deleteQuietly(file);
            if (e instanceof KvbmException k) {
                throw k;
            }
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot map " + mapped + " bytes of " + file + ": " + e, e);
        }
    }

    /** Why {@code dir} cannot hold the tier (missing, not writable, refuses a mapping), or empty. */
    static Optional<String> probe(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.of(dir + " is not a directory (no POSIX shared memory here? set " + ShmOptions.DIRECTORY + ")");
        }
        if (!Files.isWritable(dir)) {
            return Optional.of(dir + " is not writable by this user (set " + ShmOptions.DIRECTORY + ")");
        }
        Path file = dir.resolve(ShmOptions.FILE_PREFIX + "probe-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            create(file, PAGE, PAGE, null).close();
            return Optional.empty();
        } catch (KvbmException e) {
            return Optional.of("cannot map a file in " + dir + ": " + e.getMessage());
        }
    }

    private static void zeroFill(FileChannel channel, long size) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK, size));
        long position = 0;
        while (position < size) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), size - position));
            while (zeros.hasRemaining()) {
                position += channel.write(zeros, position);
            }
        }
    }

    Path file() {
        return file;
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public long size() {
        return segment.byteSize();
    }

    @Override
    protected void release() {
        try {
            arena.close(); // unmaps: a later access through segment() fails instead of touching freed pages
        } finally {
            closeQuietly(channel);
            deleteQuietly(file);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing a shm file: " + e);
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove " + file + ": " + e);
        }
    }

    /** Files are created new, readable and writable by their owner only. */
    private static final class Set0600 {
        static final java.util.Set<StandardOpenOption> OPTIONS = java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        static final java.nio.file.attribute.FileAttribute<?> MODE =
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    }

    @Override
    public String toString() {
        return "ShmStorage[" + file + ", " + segment.byteSize() + " bytes at 0x" + Long.toHexString(segment.address()) + "]";
    }
}
