package dev.kvbm.api.spi;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** A region of a local file, addressed by file offset. */
public interface FileStorage extends Storage {

    Path path();

    /** An open channel on the file, for engines that go through the JDK. */
    FileChannel channel();

    /** The file descriptor for native engines (O_DIRECT, io_uring, cuFile), or -1 when there is none. */
    int fileDescriptor();

    /** The logical block size reads and writes must be aligned to (4096 unless probed otherwise). */
    int ioAlignment();

    @Override
    default long address() {
        return 0;
    }

    @Override
    default StorageKind kind() {
        return StorageKind.DISK;
    }
}
