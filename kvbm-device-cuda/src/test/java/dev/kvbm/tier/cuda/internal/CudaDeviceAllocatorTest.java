package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.tier.cuda.DeviceMemory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Accounting of the device allocator over fake cuMemAlloc/cuMemFree. */
class CudaDeviceAllocatorTest {

    static final class FakeOps implements DeviceMemoryOps {
        long next = 0x7f00_0000_0100L; // 256-aligned, not 4096-aligned
        final List<Long> freed = new ArrayList<>();
        boolean refuse;

        @Override
        public long allocate(int ordinal, long bytes) {
            if (refuse) {
                throw new KvbmException(ErrorCode.NATIVE_FAILURE, "cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY");
            }
            long p = next;
            next += (bytes + 255) & -256L;
            return p;
        }

        @Override
        public void free(int ordinal, long pointer) {
            freed.add(pointer);
        }
    }

    @Test
    void allocationsAreAlignedAccountedAndFreedOnce() {
        FakeOps ops = new FakeOps();
        CudaDeviceAllocator a = new CudaDeviceAllocator(1, 1 << 20, ops);
        assertEquals(StorageKind.DEVICE, a.kind());
        CudaDeviceStorage s = (CudaDeviceStorage) a.allocate(10_000, 4096);
        assertEquals(0, s.devicePointer() % 4096);
        assertEquals(1, s.deviceOrdinal());
        assertEquals(10_000, s.size());
        assertTrue(s.owned());
        assertEquals(10_000, a.outstanding());
        s.close();
        s.close();
        assertEquals(List.of(0x7f00_0000_0100L), ops.freed, "the raw base pointer, once");
        assertEquals(0, a.outstanding());
    }

    @Test
    void theLimitAndDriverFailuresLeaveNothingOutstanding() {
        FakeOps ops = new FakeOps();
        CudaDeviceAllocator a = new CudaDeviceAllocator(0, 1000, ops);
        a.allocate(600, 256);
        KvbmException over = assertThrows(KvbmException.class, () -> a.allocate(500, 256));
        assertEquals(ErrorCode.ALLOCATION_FAILED, over.code());
        assertEquals(600, a.outstanding());
        ops.refuse = true;
        KvbmException oom = assertThrows(KvbmException.class, () -> a.allocate(100, 256));
        assertTrue(oom.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY"), oom.getMessage());
        assertEquals(600, a.outstanding());
        assertThrows(KvbmException.class, () -> a.allocate(100, 3));
        a.close();
        assertEquals(0, a.outstanding(), "close releases what is still outstanding");
        assertEquals(1, ops.freed.size());
    }

    @Test
    void wrappedEngineMemoryIsNeverFreed() {
        CudaDeviceStorage s = (CudaDeviceStorage) DeviceMemory.wrap(2, 0x7f00_1234_0000L, 1 << 20);
        assertFalse(s.owned());
        assertEquals(StorageKind.DEVICE, s.kind());
        assertEquals(0x7f00_1234_0000L, s.address());
        s.close(); // nothing to free, and no driver call (this test runs without a GPU)
        assertTrue(s.isClosed());
        assertEquals("pointer", assertThrows(KvbmException.class, () -> DeviceMemory.wrap(0, 0, 10)).field().orElseThrow());
        assertEquals("bytes", assertThrows(KvbmException.class, () -> DeviceMemory.wrap(0, 64, 0)).field().orElseThrow());
        assertEquals("ordinal", assertThrows(KvbmException.class, () -> DeviceMemory.wrap(-1, 64, 1)).field().orElseThrow());
    }

    @Test
    void externalRegionsAreHandedOutInOrderAndNeverFreed() {
        FakeOps ops = new FakeOps();
        List<long[]> regions = CudaDeviceAllocator.parseExternal("0x7f0000000000:4096, 140737488355328:8192");
        assertEquals(2, regions.size());
        assertEquals(0x7f00_0000_0000L, regions.get(0)[0]);
        assertEquals(8192, regions.get(1)[1]);
        CudaDeviceAllocator a = new CudaDeviceAllocator(0, Long.MAX_VALUE, ops, regions);
        CudaDeviceStorage first = (CudaDeviceStorage) a.allocate(4096, 4096);
        CudaDeviceStorage second = (CudaDeviceStorage) a.allocate(8192, 4096);
        assertEquals(0x7f00_0000_0000L, first.devicePointer());
        assertEquals(140737488355328L, second.devicePointer());
        assertFalse(first.owned());
        KvbmException none = assertThrows(KvbmException.class, () -> a.allocate(10, 256));
        assertTrue(none.getMessage().contains("lists 2 region(s)"), none.getMessage());
        first.close();
        a.close();
        assertTrue(ops.freed.isEmpty(), "engine memory is never freed");
        assertEquals(0x7f00_0000_0100L, ops.next, "and nothing was allocated");
    }

    @Test
    void badExternalRegionsNameTheOptionAndEntry() {
        assertTrue(CudaDeviceAllocator.parseExternal(null).isEmpty());
        KvbmException e = assertThrows(KvbmException.class, () -> CudaDeviceAllocator.parseExternal("0x10:5,zz"));
        assertEquals("kvbm.cuda.external.regions", e.field().orElseThrow());
        assertTrue(e.getMessage().contains("'zz' (entry 1)"), e.getMessage());
        KvbmException zero = assertThrows(KvbmException.class, () -> CudaDeviceAllocator.parseExternal("0x0:5"));
        assertTrue(zero.getMessage().contains("non-null pointer"), zero.getMessage());
    }
}
