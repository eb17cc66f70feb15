package dev.kvbm.tck;

import dev.kvbm.api.spi.AbstractStorage;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Host memory for tests, of any host kind: zeroed, from its own shared arena (closing frees it), optionally
 * starting a few bytes past an aligned address; or a view of part of another host storage that frees nothing.
 */
public final class TestHostMemory extends AbstractStorage implements HostMemoryStorage {
    private final Arena arena; // null for a view
    private final MemorySegment segment;

    private TestHostMemory(StorageKind kind, Arena arena, MemorySegment segment) {
        super(kind, null);
        if (!kind.hostAddressable()) {
            throw new IllegalArgumentException(kind + " is not host memory");
        }
        this.arena = arena;
        this.segment = segment;
    }

    /** {@code bytes} zeroed bytes of {@code kind} at a 4096-aligned address. */
    public static TestHostMemory allocate(long bytes, StorageKind kind) {
        return allocate(bytes, kind, 0);
    }

    /** {@code bytes} zeroed bytes of {@code kind} starting {@code skew} bytes past a 4096-aligned address. */
    public static TestHostMemory allocate(long bytes, StorageKind kind, long skew) {
        Arena arena = Arena.ofShared();
        return new TestHostMemory(kind, arena, arena.allocate(bytes + skew, 4096).asSlice(skew, bytes));
    }

    /** {@code bytes} bytes of {@code parent} (host memory) from {@code skew} on; closing the view frees nothing. */
    public static TestHostMemory view(Storage parent, long skew, long bytes) {
        return new TestHostMemory(parent.kind(), null, ((HostMemoryStorage) parent).segment().asSlice(skew, bytes));
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
        if (arena != null) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "TestHostMemory[" + kind() + ", " + segment.byteSize() + " bytes at 0x" + Long.toHexString(segment.address())
                + (arena == null ? ", view" : "") + "]";
    }
}
