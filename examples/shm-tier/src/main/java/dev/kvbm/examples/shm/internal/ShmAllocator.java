package dev.kvbm.examples.shm.internal;

import dev.kvbm.api.spi.AccountingStorageAllocator;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.examples.shm.ShmOptions;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** One mapped file per region in one directory; the SPI base does the limit and the outstanding bytes. */
final class ShmAllocator extends AccountingStorageAllocator {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Path dir;

    ShmAllocator(Path dir, long limit) {
        super(StorageKind.SYSTEM, limit, ShmOptions.LIMIT_BYTES);
        this.dir = dir;
    }

    /** Whole pages: what the mapping really holds of the tmpfs. */
    @Override
    protected long reservation(long bytes, long alignment) {
        return ShmStorage.pages(bytes);
    }

    @Override
    protected Storage allocateReserved(long bytes, long alignment, long reserved) {
        Path file = dir.resolve(ShmOptions.FILE_PREFIX + ProcessHandle.current().pid() + "-" + SEQUENCE.getAndIncrement());
        return ShmStorage.create(file, bytes, alignment, this::released);
    }
}
