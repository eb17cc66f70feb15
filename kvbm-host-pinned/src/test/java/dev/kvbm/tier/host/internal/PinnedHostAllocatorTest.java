package dev.kvbm.tier.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.HostMemoryRegistrar;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tier.host.HostTierOptions;
import dev.kvbm.tier.host.PinnedMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PinnedHostAllocatorTest {
    final PinnedHostTierProvider provider = new PinnedHostTierProvider();

    @BeforeEach
    void available() {
        // The build runs tests with the distribution's flags; without them this is the cause to read.
        assumeTrue(provider.isAvailable(), () -> provider.unavailabilityCause().orElse(""));
    }

    static TierConfig config(Map<String, String> options) {
        return new TierConfig(Tier.G2, LayoutConfig.of(4, 2, 2, 16, 128), LayoutType.FULLY_CONTIGUOUS, options);
    }

    /** A locker that records what it is asked, answers {@code errno} to lock and reports {@code limit}. */
    static final class FakeLocker implements MemoryLocker {
        final int errno;
        final long limit;
        final List<MemorySegment> locked = Collections.synchronizedList(new ArrayList<>());
        final List<MemorySegment> unlocked = Collections.synchronizedList(new ArrayList<>());

        FakeLocker(int errno, long limit) {
            this.errno = errno;
            this.limit = limit;
        }

        @Override
        public int lock(MemorySegment chunk) {
            if (errno == 0) {
                locked.add(chunk);
            }
            return errno;
        }

        @Override
        public int unlock(MemorySegment chunk) {
            unlocked.add(chunk);
            return 0;
        }

        @Override
        public long memlockLimit() {
            return limit;
        }
    }

    @Test
    void allocationsArePageAlignedSizedAccountedAndClosedOnce() {
        try (var allocator = provider.createAllocator(config(Map.of()))) {
            assertEquals(StorageKind.PINNED, allocator.kind());
            assertEquals(Long.MAX_VALUE, allocator.limit());
            Storage s = allocator.allocate((1 << 20) + 123, 64);
            assertEquals(0, s.address() % 4096, "page-aligned");
            assertEquals((1 << 20) + 123, s.size());
            assertEquals(StorageKind.PINNED, s.kind());
            assertEquals((1 << 20) + 123, allocator.outstanding());
            PinnedMemory pm = (PinnedMemory) s;
            assertTrue(pm.allocationNanos() > 0);
            MemorySegment seg = pm.segment();
            assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, seg.byteSize() - 1), "first touch zeroed it");
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, 1000, 42L);
            assertEquals(42L, seg.get(ValueLayout.JAVA_LONG_UNALIGNED, 1000));
            s.close();
            s.close();
            assertEquals(0, allocator.outstanding());
            assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_BYTE, 0), "closed means unusable");
        }
    }

    @Test
    void realMlockEitherPinsOrReportsWhy() {
        try (var allocator = provider.createAllocator(config(Map.of()), MemoryLocker.LIBC)) {
            PinnedHostStorage s = (PinnedHostStorage) allocator.allocate(64 << 10, 4096);
            assertEquals(s.pinned(), s.pinFailure().isEmpty(), String.valueOf(s.pinFailure()));
            s.close();
        }
        assertTrue(LibC.memlockLimit() != -1, "getrlimit(RLIMIT_MEMLOCK) is readable");
    }

    @Test
    void largeRegionsAreTouchedAndLockedChunkByChunkInParallel() {
        FakeLocker locker = new FakeLocker(0, Long.MAX_VALUE);
        try (var allocator = provider.createAllocator(config(Map.of(HostTierOptions.CHUNK_BYTES, "65536",
                HostTierOptions.TOUCH_THREADS, "4")), locker)) {
            PinnedHostStorage s = (PinnedHostStorage) allocator.allocate((1 << 20) + 4096, 4096);
            assertTrue(s.pinned());
            assertEquals(17, s.chunks().size());
            assertEquals(17, locker.locked.size());
            assertCovers(s, s.chunks(), 65536);
            s.close();
            assertEquals(17, locker.unlocked.size(), "munlock on close, chunk by chunk");
        }
    }

    @Test
    void refusedMlockFallsBackToPageableMemoryWithOneActionableWarning() {
        FakeLocker locker = new FakeLocker(12, 8L << 20); // ENOMEM, 8 MiB
        try (var allocator = provider.createAllocator(config(Map.of(HostTierOptions.CHUNK_BYTES, "65536")), locker)) {
            PinnedHostStorage s = (PinnedHostStorage) allocator.allocate(256 << 10, 4096);
            assertFalse(s.pinned());
            String warning = s.pinFailure().orElseThrow();
            assertTrue(warning.contains("ENOMEM"), warning);
            assertTrue(warning.contains("RLIMIT_MEMLOCK is 8388608 bytes (8.0 MiB)"), warning);
            assertTrue(warning.contains("ulimit -l unlimited"), warning);
            assertTrue(warning.contains("LimitMEMLOCK=infinity"), warning);
            assertTrue(warning.contains("--ulimit memlock=-1"), warning);
            assertEquals(warning, allocator.lastPinFailure());
            assertTrue(provider.description().contains("NOT pinned"), provider.description());
            // Still usable memory, accounted like any other.
            s.segment().set(ValueLayout.JAVA_INT, 0, 7);
            assertEquals(256 << 10, allocator.outstanding());
            s.close();
            assertEquals(0, allocator.outstanding());
            assertTrue(locker.unlocked.isEmpty(), "nothing was locked, nothing is unlocked");
        }
    }

    @Test
    void overLimitRequestsAreRefusedNamingRequestLimitAndOutstanding() {
        var allocator = provider.createAllocator(config(Map.of(HostTierOptions.LIMIT_BYTES, "1048576")));
        {
            assertEquals(1 << 20, allocator.limit());
            Storage first = allocator.allocate(600_000, 1);
            KvbmException e = assertThrows(KvbmException.class, () -> allocator.allocate(500_000, 1));
            assertEquals(ErrorCode.ALLOCATION_FAILED, e.code());
            assertTrue(e.getMessage().contains("requested 500000"), e.getMessage());
            assertTrue(e.getMessage().contains("outstanding 600000"), e.getMessage());
            assertTrue(e.getMessage().contains("limit 1048576"), e.getMessage());
            assertEquals(600_000, allocator.outstanding());
            first.close();
            allocator.allocate(1 << 20, 1); // fits once the first is returned; released by the allocator's close
            assertEquals(1 << 20, allocator.outstanding());
            allocator.close();
            assertEquals(0, allocator.outstanding(), "close releases what is outstanding");
            assertEquals(ErrorCode.INVALID_STATE, assertThrows(KvbmException.class, () -> allocator.allocate(1, 1)).code());
        }
    }

    @Test
    void badArgumentsAreRefused() {
        try (var allocator = provider.createAllocator(config(Map.of()))) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KvbmException.class, () -> allocator.allocate(0, 1)).code());
            assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KvbmException.class, () -> allocator.allocate(1, 3)).code());
            assertEquals(0, allocator.outstanding());
        }
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(KvbmException.class,
                () -> provider.createAllocator(config(Map.of(HostTierOptions.LIMIT_BYTES, "lots"))))
                .code());
    }

    record Registration(boolean register, MemorySegment chunk) {
    }

    static void assertCovers(Storage s, List<MemorySegment> chunks, long max) {
        long next = s.address();
        for (MemorySegment c : chunks) {
            assertEquals(next, c.address(), "chunks are contiguous, in address order");
            assertTrue(c.byteSize() <= max, c.byteSize() + " > " + max);
            next += c.byteSize();
        }
        assertEquals(s.address() + s.size(), next, "chunks cover the region exactly");
    }

    @Test
    void theRegistrarSeesEveryChunkOnceWithinItsMaximumAndUnregistersOnClose() {
        List<Registration> calls = Collections.synchronizedList(new ArrayList<>());
        HostMemoryRegistrar registrar = new HostMemoryRegistrar() {
            @Override
            public void register(MemorySegment chunk) {
                calls.add(new Registration(true, chunk));
            }

            @Override
            public void unregister(MemorySegment chunk) {
                calls.add(new Registration(false, chunk));
            }

            @Override
            public long maxChunkBytes() {
                return 64 << 10;
            }
        };
        try (var allocator = provider.createAllocator(config(Map.of(HostTierOptions.CHUNK_BYTES, "1048576")).withHostRegistrar(registrar),
                new FakeLocker(0, Long.MAX_VALUE))) {
            Storage s = allocator.allocate(300 << 10, 4096);
            List<MemorySegment> registered = calls.stream().filter(Registration::register).map(Registration::chunk).toList();
            assertEquals(5, registered.size());
            assertCovers(s, registered, 64 << 10);
            assertEquals(registered.size(), calls.size(), "nothing unregistered yet");
            s.close();
            s.close();
            List<MemorySegment> unregistered = calls.stream().filter(r -> !r.register()).map(Registration::chunk).toList();
            assertEquals(registered.size(), unregistered.size(), "each chunk unregistered exactly once");
            assertEquals(registered.stream().map(MemorySegment::address).sorted().toList(),
                    unregistered.stream().map(MemorySegment::address).sorted().toList());
        }
    }

    @Test
    void aFailingRegistrarFailsTheAllocationAndUndoesWhatItDid() {
        List<MemorySegment> unregistered = new ArrayList<>();
        HostMemoryRegistrar registrar = new HostMemoryRegistrar() {
            int calls;

            @Override
            public void register(MemorySegment chunk) {
                if (++calls == 3) {
                    throw new IllegalStateException("cuMemHostRegister: out of memory");
                }
            }

            @Override
            public void unregister(MemorySegment chunk) {
                unregistered.add(chunk);
            }
        };
        FakeLocker locker = new FakeLocker(0, Long.MAX_VALUE);
        try (var allocator = provider.createAllocator(config(Map.of(HostTierOptions.CHUNK_BYTES, "65536")).withHostRegistrar(registrar), locker)) {
            KvbmException e = assertThrows(KvbmException.class, () -> allocator.allocate(256 << 10, 4096));
            assertEquals(ErrorCode.ALLOCATION_FAILED, e.code());
            assertTrue(e.getMessage().contains("cuMemHostRegister"), e.getMessage());
            assertEquals(2, unregistered.size());
            assertEquals(4, locker.unlocked.size(), "every locked chunk unlocked");
            assertEquals(0, allocator.outstanding());
        }
    }

    @Test
    void providerDescribesItself() {
        assertEquals("host-pinned", provider.name());
        assertEquals(java.util.Set.of(Tier.G1, Tier.G2), provider.tiers());
        assertEquals(StorageKind.PINNED, provider.storageKind());
        assertEquals(10, provider.priority());
        assertTrue(provider.unavailabilityCause().isEmpty());
        assertTrue(provider.description().contains("RLIMIT_MEMLOCK") || provider.description().contains("NOT pinned"),
                provider.description());
    }
}
