package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.spi.AbstractStorage;
import dev.kvbm.api.spi.FileStorage;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.nativeio.libc.LibC;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * One cache file of the disk tier: a JDK channel for the POSIX engine and a native descriptor for native
 * engines, both opened with O_DIRECT unless disabled. Closing closes both and unlinks the file.
 */
final class DiskFileStorage extends AbstractStorage implements FileStorage {
    private static final System.Logger LOG = System.getLogger(DiskFileStorage.class.getName());

    private final Path path;
    private final FileChannel channel;
    private final int fd;
    private final long size;
    private final int ioAlignment;
    private final boolean direct;

    DiskFileStorage(Path path, FileChannel channel, int fd, long size, int ioAlignment, boolean direct,
                    Consumer<? super Storage> onClose) {
        super(StorageKind.DISK, onClose);
        this.path = path;
        this.channel = channel;
        this.fd = fd;
        this.size = size;
        this.ioAlignment = ioAlignment;
        this.direct = direct;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public FileChannel channel() {
        return channel;
    }

    @Override
    public int fileDescriptor() {
        return fd;
    }

    /** The device's logical block size under O_DIRECT; 1 when the file is opened without it. */
    @Override
    public int ioAlignment() {
        return direct ? ioAlignment : 1;
    }

    boolean direct() {
        return direct;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    protected void release() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + path + ": " + e);
        }
        if (fd >= 0) {
            LibC.close(fd);
        }
        try {
            Files.deleteIfExists(path);
            ExitCleanup.fileRemoved(path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot unlink " + path + " (the next start removes it): " + e);
        }
    }

    @Override
    public String toString() {
        return "DiskFileStorage[" + path + ", " + size + " bytes, " + (direct ? "O_DIRECT " + ioAlignment : "buffered")
                + "]";
    }
}
