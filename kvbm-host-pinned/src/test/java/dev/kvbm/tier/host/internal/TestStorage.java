package dev.kvbm.tier.host.internal;

import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import java.lang.foreign.MemorySegment;

/** Host storage over a slice of another storage (to start at an unaligned address), or a non-host stand-in. */
final class TestStorage implements HostMemoryStorage {
    private final MemorySegment segment;
    private final StorageKind kind;

    TestStorage(MemorySegment segment, StorageKind kind) {
        this.segment = segment;
        this.kind = kind;
    }

    /** {@code bytes} bytes starting {@code skew} bytes after the start of {@code parent}. */
    static TestStorage skewed(Storage parent, long skew, long bytes) {
        return new TestStorage(((HostMemoryStorage) parent).segment().asSlice(skew, bytes), parent.kind());
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public StorageKind kind() {
        return kind;
    }

    @Override
    public long size() {
        return segment.byteSize();
    }

    @Override
    public void close() {
    }

    /** A storage that is not host memory. */
    record Device(long size) implements Storage {
        @Override
        public StorageKind kind() {
            return StorageKind.DEVICE;
        }

        @Override
        public long address() {
            return 1L << 40;
        }

        @Override
        public void close() {
        }
    }
}
