package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.FileStorage;
import dev.kvbm.api.spi.Storage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Rank 0's G3 cache files in replicated mode, which the other ranks on the host read themselves to onboard.
 * Rank 0 publishes a pointer file next to its shared G2 ({@code <group>-g3.current}: owner pid and start time,
 * a generation, and each file's absolute path, size and identity); the other ranks open those files read-only
 * (O_DIRECT where the file system allows it) as {@link FileStorage}s that never unlink, truncate or write them.
 * Before each read a follower calls {@link #stale()}: when rank 0 is gone, republished, or a file was replaced,
 * the read is refused instead of serving bytes of a cache that no longer exists.
 */
public final class SharedDiskFiles implements AutoCloseable {
    private final Path pointer;
    private final String published;
    private final SharedHostRegion.Owner owner;
    private final boolean publisher;
    private final List<ReadOnlyFile> files;
    private volatile boolean closed;

    private SharedDiskFiles(Path pointer, String published, SharedHostRegion.Owner owner, boolean publisher,
                            List<ReadOnlyFile> files) {
        this.pointer = pointer;
        this.published = published;
        this.owner = owner;
        this.publisher = publisher;
        this.files = List.copyOf(files);
    }

    /** Rank 0: publishes {@code storages} (its G3's files) under {@code <dir>/<name>.current}. */
    public static SharedDiskFiles publish(Path dir, String name, List<Storage> storages) {
        SharedHostRegion.Owner self = SharedHostRegion.Owner.self();
        Path pointer = dir.resolve(name + ".current");
        StringBuilder text = new StringBuilder().append("pid=").append(self.pid()).append("\nstart=")
                .append(self.startMillis()).append("\ngeneration=").append(System.nanoTime()).append('-')
                .append(System.identityHashCode(storages)).append("\nfiles=").append(storages.size()).append('\n');
        try {
            for (int i = 0; i < storages.size(); i++) {
                if (!(storages.get(i) instanceof FileStorage f)) {
                    throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "replicated mode shares G3 only as files; the"
                            + " disk tier handed out " + storages.get(i));
                }
                Path p = f.path().toAbsolutePath();
                text.append("file.").append(i).append('=').append(p).append('\n')
                        .append("bytes.").append(i).append('=').append(f.size()).append('\n')
                        .append("id.").append(i).append('=').append(identity(p)).append('\n');
            }
            Path tmp = dir.resolve(name + ".current.tmp-" + self.pid());
            Files.writeString(tmp, text);
            Files.move(tmp, pointer, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot publish " + pointer + ": " + e.getMessage(), e);
        }
        return new SharedDiskFiles(pointer, text.toString(), self, true, List.of());
    }

    /**
     * Other ranks: rank 0's published files, opened read-only, when a live owner published {@code count} files
     * of at least {@code bytes} each; empty while there is none (the caller polls).
     */
    public static Optional<SharedDiskFiles> open(Path dir, String name, int count, long bytes) {
        Path pointer = dir.resolve(name + ".current");
        List<ReadOnlyFile> opened = new ArrayList<>();
        try {
            String text = Files.readString(pointer);
            Map<String, String> p = parse(text);
            SharedHostRegion.Owner o = new SharedHostRegion.Owner(Long.parseLong(p.get("pid")), Long.parseLong(p.get("start")));
            if (!o.alive() || Integer.parseInt(p.get("files")) != count) {
                return Optional.empty();
            }
            for (int i = 0; i < count; i++) {
                Path file = Path.of(p.get("file." + i));
                long size = Long.parseLong(p.get("bytes." + i));
                if (size < bytes) {
                    return closeAll(opened);
                }
                ReadOnlyFile f = ReadOnlyFile.open(file, size);
                opened.add(f);
                if (!identity(file).equals(p.get("id." + i))) {
                    return closeAll(opened); // replaced between publishing and opening
                }
            }
            return Optional.of(new SharedDiskFiles(pointer, text, o, false, opened));
        } catch (IOException | RuntimeException e) {
            return closeAll(opened); // not published yet, or being replaced
        }
    }

    private static Optional<SharedDiskFiles> closeAll(List<ReadOnlyFile> opened) {
        opened.forEach(ReadOnlyFile::close);
        return Optional.empty();
    }

    /** The read-only files (followers; empty for the publisher). */
    public List<Storage> storages() {
        return List.copyOf(files);
    }

    public SharedHostRegion.Owner owner() {
        return owner;
    }

    /**
     * Why these files must not be read now, or null: rank 0 is gone or restarted, it published other files,
     * or one of the files was removed or replaced since this rank opened it.
     */
    public String stale() {
        if (closed) {
            return "rank 0's G3 files are closed on this rank";
        }
        if (!owner.alive()) {
            return "rank 0 (pid " + owner.pid() + "), which owns G3, is gone";
        }
        String now;
        try {
            now = Files.readString(pointer);
        } catch (IOException e) {
            return "rank 0 no longer publishes its G3 (" + pointer + " is gone)";
        }
        if (!now.equals(published)) {
            return "rank 0 published other G3 files since this rank opened them (" + pointer + ")";
        }
        for (ReadOnlyFile f : files) {
            String id;
            try {
                id = identity(f.path);
            } catch (IOException e) {
                return "rank 0's G3 file " + f.path + " is gone";
            }
            if (!id.equals(f.identity)) {
                return "rank 0's G3 file " + f.path + " was replaced (identity " + f.identity + " -> " + id + ")";
            }
        }
        return null;
    }

    /** The publisher withdraws the pointer (if still its own); followers close their read-only channels. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        files.forEach(ReadOnlyFile::close);
        if (publisher) {
            try {
                if (Files.exists(pointer) && Files.readString(pointer).equals(published)) {
                    Files.deleteIfExists(pointer);
                }
            } catch (IOException ignored) {
                // the next rank 0 replaces it; followers check the owner anyway
            }
        }
    }

    private static Map<String, String> parse(String text) {
        Map<String, String> p = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                p.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return p;
    }

    /** Device, inode and creation time: a file recreated under the same name differs. */
    static String identity(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return Objects.toString(a.fileKey(), "") + "@" + a.creationTime().toMillis();
    }

    /** One of rank 0's files, read-only: closing closes the channel only, never unlinks. */
    private static final class ReadOnlyFile implements FileStorage {
        private final Path path;
        private final FileChannel channel;
        private final long size;
        private final int ioAlignment;
        private final String identity;
        private volatile boolean closed;

        private ReadOnlyFile(Path path, FileChannel channel, long size, int ioAlignment, String identity) {
            this.path = path;
            this.channel = channel;
            this.size = size;
            this.ioAlignment = ioAlignment;
            this.identity = identity;
        }

        static ReadOnlyFile open(Path path, long size) throws IOException {
            String id = identity(path);
            FileChannel ch;
            int alignment;
            try {
                ch = FileChannel.open(path, new OpenOption[] {StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT});
                alignment = probeAlignment(path);
            } catch (IOException | UnsupportedOperationException e) {
                ch = FileChannel.open(path, StandardOpenOption.READ); // the file system refuses O_DIRECT (tmpfs)
                alignment = 1;
            }
            try {
                if (ch.size() < size) {
                    throw new IOException(path + " holds " + ch.size() + " bytes, published " + size);
                }
                return new ReadOnlyFile(path, ch, size, alignment, id);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }

        /** The file system's block size, which the JDK checks O_DIRECT transfers against; 4096 if odd. */
        private static int probeAlignment(Path path) {
            try {
                long b = Files.getFileStore(path).getBlockSize();
                if (b >= 512 && b <= 65536 && Long.bitCount(b) == 1) {
                    return (int) b;
                }
            } catch (IOException | UnsupportedOperationException e) {
                // fall through to the default
            }
            return 4096;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public FileChannel channel() {
            return channel;
        }

        /** None: native engines fall back to the channel (the posix path), which is all a reader needs. */
        @Override
        public int fileDescriptor() {
            return -1;
        }

        @Override
        public int ioAlignment() {
            return ioAlignment;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
        }

        @Override
        public String toString() {
            return "rank 0's " + path + " (read-only, " + size + " bytes" + (ioAlignment > 1 ? ", O_DIRECT" : "") + ")";
        }
    }
}
