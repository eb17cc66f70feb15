package dev.kvbm.tier.host.internal;

import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.StorageKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/** Pageable host memory from a shared arena (zeroed by the arena); closing the arena frees it. */
final class SystemHostStorage implements HostMemoryStorage {
    private final Arena arena;
    private final MemorySegment segment;
    private final BiConsumer<SystemHostStorage, Long> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    SystemHostStorage(long bytes, long alignment, BiConsumer<SystemHostStorage, Long> onClose) {
        this.arena = Arena.ofShared();
        try {
            this.segment = arena.allocate(bytes, alignment);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
        this.onClose = onClose;
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
    public long address() {
        return segment.address();
    }

    boolean closed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            long size = segment.byteSize();
            arena.close();
            onClose.accept(this, size);
        }
    }

    @Override
    public String toString() {
        return "SystemHostStorage[" + segment.byteSize() + " bytes at 0x" + Long.toHexString(segment.address()) + "]";
    }
}
