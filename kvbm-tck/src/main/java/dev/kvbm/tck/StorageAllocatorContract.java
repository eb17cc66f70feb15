package dev.kvbm.tck;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link StorageAllocator} must do (Arrow's allocator discipline): know its limit, account for
 * every byte outstanding and get back to 0 when its storage is closed, hand out regions at the alignment asked
 * for, refuse a request over the limit with {@code ALLOCATION_FAILED} (changing nothing), refuse bad sizes and
 * alignments, refuse to allocate once closed, close idempotently, and release whatever is still outstanding
 * when it closes.
 *
 * <p>Subclasses supply {@link #createAllocator(long)}. An allocator the machine cannot run (no GPU, no
 * library) is skipped with an assumption naming the provider's cause, for example through
 * {@link TierProviderContract#assumeAvailable}.
 */
public abstract class StorageAllocatorContract {

    private final List<StorageAllocator> opened = new ArrayList<>();

    /** A new allocator whose limit is exactly {@code limitBytes} (a multiple of 1 MiB). */
    protected abstract StorageAllocator createAllocator(long limitBytes);

    /** Whether the module supports {@code behavior}; everything by default. */
    protected boolean hasBehavior(Behavior behavior) {
        return true;
    }

    /** The limit the tests run under: 4 MiB. */
    protected long limitBytes() {
        return 4L << 20;
    }

    /** The longest the concurrent test may take. */
    protected Duration timeout() {
        return Duration.ofSeconds(60);
    }

    @AfterEach
    void closeContractResources() {
        opened.forEach(StorageAllocator::close);
        opened.clear();
    }

    private StorageAllocator allocator() {
        StorageAllocator a = createAllocator(limitBytes());
        opened.add(a);
        return a;
    }

    @Test
    void startsEmptyWithTheLimitAskedFor() {
        StorageAllocator a = allocator();
        assertEquals(limitBytes(), a.limit(), "limit()");
        assertEquals(0, a.outstanding(), "outstanding() of a new allocator");
        assertTrue(a.kind() != null, "kind()");
    }

    @Test
    void outstandingCountsEveryRegionAndReturnsToZeroWhenTheyClose() {
        StorageAllocator a = allocator();
        long[] sizes = {4096, 64 << 10, 300_000};
        List<Storage> regions = new ArrayList<>();
        long asked = 0;
        for (long size : sizes) {
            Storage s = a.allocate(size, 4096);
            regions.add(s);
            asked += size;
            assertEquals(a.kind(), s.kind(), "a region's kind differs from its allocator's");
            assertTrue(s.size() >= size, "a region of " + s.size() + " bytes for a request of " + size);
            assertTrue(a.outstanding() >= asked && a.outstanding() <= a.limit(),
                    "outstanding " + a.outstanding() + " after " + asked + " bytes were asked for, limit " + a.limit());
        }
        for (Storage s : regions) {
            s.close();
        }
        assertEquals(0, a.outstanding(), "bytes still outstanding after every region was closed");
    }

    @ParameterizedTest(name = "alignment {0}")
    @ValueSource(longs = {1, 64, 4096, 65536, 1 << 20})
    void regionsStartAtTheAlignmentAskedFor(long alignment) {
        StorageAllocator a = allocator();
        try (Storage s = a.allocate(10_000, alignment)) {
            assertEquals(0, Long.remainderUnsigned(s.address(), alignment),
                    "address 0x" + Long.toHexString(s.address()) + " is not a multiple of " + alignment);
            if (s instanceof HostMemoryStorage h && hasBehavior(Behavior.HOST_ADDRESSABLE_STORAGE)) {
                MemorySegment m = h.segment();
                assertTrue(m.byteSize() >= 10_000, "segment of " + m.byteSize() + " bytes");
                m.set(ValueLayout.JAVA_BYTE, 0, (byte) 7);
                m.set(ValueLayout.JAVA_BYTE, 9_999, (byte) 9);
                assertEquals(7, m.get(ValueLayout.JAVA_BYTE, 0));
                assertEquals(9, m.get(ValueLayout.JAVA_BYTE, 9_999));
            }
        }
        assertEquals(0, a.outstanding());
    }

    @Test
    void overTheLimitFailsWithAllocationFailedAndChangesNothing() {
        StorageAllocator a = allocator();
        long half = a.limit() / 2;
        Storage first = a.allocate(half, 4096);
        long before = a.outstanding();
        KvbmException e = assertThrows(KvbmException.class, () -> a.allocate(a.limit(), 4096),
                "a request over the limit must fail");
        assertEquals(ErrorCode.ALLOCATION_FAILED, e.code(), e.getMessage());
        assertEquals(before, a.outstanding(), "a refused request changed outstanding()");
        Storage rest = assertDoesNotThrow(() -> a.allocate(a.limit() - half, 4096),
                "the rest of the limit must still be allocatable");
        first.close();
        rest.close();
        assertEquals(0, a.outstanding());
        KvbmException whole = assertThrows(KvbmException.class, () -> a.allocate(a.limit() + 1, 1));
        assertEquals(ErrorCode.ALLOCATION_FAILED, whole.code(), whole.getMessage());
    }

    @Test
    void badSizesAndAlignmentsAreRefused() {
        StorageAllocator a = allocator();
        for (long bytes : new long[] {0, -1}) {
            KvbmException e = assertThrows(KvbmException.class, () -> a.allocate(bytes, 4096), "bytes " + bytes);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        }
        for (long alignment : new long[] {0, 3, -4096}) {
            KvbmException e = assertThrows(KvbmException.class, () -> a.allocate(4096, alignment), "alignment " + alignment);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        }
        assertEquals(0, a.outstanding(), "a refused request changed outstanding()");
    }

    @Test
    void closingARegionTwiceReturnsItsBytesOnce() {
        StorageAllocator a = allocator();
        Storage one = a.allocate(8192, 4096);
        Storage two = a.allocate(8192, 4096);
        long both = a.outstanding();
        one.close();
        long afterOne = a.outstanding();
        one.close();
        assertEquals(afterOne, a.outstanding(), "a second close returned bytes again");
        assertTrue(afterOne < both, "closing a region returned nothing");
        two.close();
        assertEquals(0, a.outstanding());
    }

    @Test
    void closeReleasesWhatIsOutstandingAndIsIdempotent() {
        StorageAllocator a = allocator();
        Storage one = a.allocate(8192, 4096);
        a.allocate(12288, 4096);
        a.close();
        assertEquals(0, a.outstanding(), "closing the allocator left bytes outstanding");
        assertDoesNotThrow(a::close, "a second close");
        assertDoesNotThrow(one::close, "closing a region its closed allocator already released");
        assertEquals(0, a.outstanding());
    }

    @Test
    void allocatingAfterCloseFails() {
        StorageAllocator a = allocator();
        a.close();
        KvbmException e = assertThrows(KvbmException.class, () -> a.allocate(4096, 4096));
        assertEquals(ErrorCode.INVALID_STATE, e.code(), e.getMessage());
        assertEquals(0, a.outstanding());
    }

    @Test
    void concurrentAllocationsNeverExceedTheLimitAndAllReturn() throws Exception {
        StorageAllocator a = allocator();
        int threads = 4;
        long region = a.limit() / 8;
        AtomicLong overLimit = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 10; i++) {
                        List<Storage> held = new ArrayList<>();
                        for (int j = 0; j < 3; j++) {
                            try {
                                held.add(a.allocate(region, 4096));
                            } catch (KvbmException e) {
                                assertEquals(ErrorCode.ALLOCATION_FAILED, e.code(), e.getMessage());
                                refused.incrementAndGet();
                            }
                            if (a.outstanding() > a.limit()) {
                                overLimit.incrementAndGet();
                            }
                        }
                        held.forEach(Storage::close);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, overLimit.get(), "outstanding() exceeded the limit");
        assertEquals(0, a.outstanding(), "bytes outstanding after every region was closed (" + refused.get()
                + " requests refused)");
    }
}
