package dev.kvbm.tier.host.internal;

import dev.kvbm.api.spi.AbstractStorage;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/** Pageable host memory from a shared arena (zeroed by the arena); closing the arena frees it. */
final class SystemHostStorage extends AbstractStorage implements HostMemoryStorage {
    private final Arena arena;
    private final MemorySegment segment;

    SystemHostStorage(long bytes, long alignment, Consumer<? super Storage> onClose) {
        super(StorageKind.SYSTEM, onClose);
        this.arena = Arena.ofShared();
        try {
            this.segment = arena.allocate(bytes, alignment);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
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
    public long address() {
        return segment.address();
    }

    @Override
    protected void release() {
        arena.close();
    }

    @Override
    public String toString() {
        return "SystemHostStorage[" + segment.byteSize() + " bytes at 0x" + Long.toHexString(segment.address()) + "]";
    }
}
