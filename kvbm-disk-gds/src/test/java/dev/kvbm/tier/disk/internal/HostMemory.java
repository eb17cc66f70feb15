package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.StorageKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Test host memory from a shared arena, optionally starting {@code skew} bytes past an aligned address. */
final class HostMemory implements HostMemoryStorage {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment segment;

    HostMemory(long bytes, long skew) {
        this.segment = arena.allocate(bytes + skew, 4096).asSlice(skew, bytes);
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public StorageKind kind() {
        return StorageKind.PINNED;
    }

    @Override
    public long size() {
        return segment.byteSize();
    }

    @Override
    public void close() {
        arena.close();
    }
}
