package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.spi.DeviceMemoryStorage;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.StorageKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Storage for tests: device storage that is only an address (planning never dereferences it), and host memory. */
final class TestStorages {
    private TestStorages() {
    }

    record FakeDevice(int deviceOrdinal, long devicePointer, long size) implements DeviceMemoryStorage {
        @Override
        public void close() {
        }
    }

    record Host(MemorySegment segment, StorageKind kind, Arena arena) implements HostMemoryStorage {
        static Host allocate(long bytes, StorageKind kind) {
            Arena a = Arena.ofShared();
            return new Host(a.allocate(bytes, 4096), kind, a);
        }

        @Override
        public long size() {
            return segment.byteSize();
        }

        @Override
        public void close() {
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }
}
