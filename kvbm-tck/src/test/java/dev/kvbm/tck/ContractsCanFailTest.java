package dev.kvbm.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.AccountingStorageAllocator;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngine;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;
import org.junit.platform.testkit.engine.Events;

/**
 * The kit's own tests: its contracts pass for a provider built from the SPI's base classes alone, and fail
 * (each with the case that catches it) for providers that leak, ignore their limit or hang. The subclasses
 * below are nested static classes, which Surefire does not run by itself; the JUnit test kit runs them here.
 */
class ContractsCanFailTest {

    /** Host memory through AccountingStorageAllocator and TestHostMemory: what a minimal correct tier is. */
    static class ReferenceAllocator extends AccountingStorageAllocator {
        ReferenceAllocator(long limit) {
            super(StorageKind.SYSTEM, limit, "test.limit");
        }

        @Override
        protected Storage allocateReserved(long bytes, long alignment, long reserved) {
            return new Owned(TestHostMemory.allocate(bytes + alignment, StorageKind.SYSTEM), bytes, alignment, this);
        }

        /** A view at the alignment that closes its memory and tells the allocator. */
        static final class Owned extends dev.kvbm.api.spi.AbstractStorage implements dev.kvbm.api.spi.HostMemoryStorage {
            final TestHostMemory memory;
            final java.lang.foreign.MemorySegment segment;

            Owned(TestHostMemory memory, long bytes, long alignment, ReferenceAllocator owner) {
                super(StorageKind.SYSTEM, owner::released);
                this.memory = memory;
                long skew = Long.remainderUnsigned(-memory.segment().address(), alignment);
                this.segment = memory.segment().asSlice(skew, bytes);
            }

            @Override
            public java.lang.foreign.MemorySegment segment() {
                return segment;
            }

            @Override
            public long size() {
                return segment.byteSize();
            }

            @Override
            protected void release() {
                memory.close();
            }
        }
    }

    static class PassingAllocatorContract extends StorageAllocatorContract {
        @Override
        protected StorageAllocator createAllocator(long limitBytes) {
            return new ReferenceAllocator(limitBytes);
        }
    }

    /** Closing a region returns nothing. */
    static class LeakingAllocatorContract extends StorageAllocatorContract {
        @Override
        protected StorageAllocator createAllocator(long limitBytes) {
            return new ReferenceAllocator(limitBytes) {
                @Override
                protected Storage allocateReserved(long bytes, long alignment, long reserved) {
                    Storage s = super.allocateReserved(bytes, alignment, reserved);
                    return new Leak((dev.kvbm.api.spi.HostMemoryStorage) s);
                }
            };
        }
    }

    /** A region whose close frees the memory but never reaches the allocator's account. */
    record Leak(dev.kvbm.api.spi.HostMemoryStorage inner) implements dev.kvbm.api.spi.HostMemoryStorage {
        @Override
        public java.lang.foreign.MemorySegment segment() {
            return inner.segment();
        }

        @Override
        public StorageKind kind() {
            return inner.kind();
        }

        @Override
        public long size() {
            return inner.size();
        }

        @Override
        public void close() {
            inner.close(); // the allocator tracks this wrapper, so the inner region's report is not counted
        }
    }

    /** Hands out whatever is asked, limit or not. */
    static class UnboundedAllocatorContract extends StorageAllocatorContract {
        @Override
        protected StorageAllocator createAllocator(long limitBytes) {
            ReferenceAllocator unbounded = new ReferenceAllocator(Long.MAX_VALUE);
            return new StorageAllocator() {
                @Override
                public StorageKind kind() {
                    return unbounded.kind();
                }

                @Override
                public Storage allocate(long bytes, long alignment) {
                    return unbounded.allocate(bytes, alignment);
                }

                @Override
                public long limit() {
                    return limitBytes; // claimed, never enforced
                }

                @Override
                public long outstanding() {
                    return unbounded.outstanding();
                }

                @Override
                public void close() {
                    unbounded.close();
                }
            };
        }
    }

    /** An engine whose transfers never complete: every wait must end in a failure, not a hung build. */
    static class HangingEngineContract extends TransferEngineContract {
        @Override
        protected TransferEngine createEngine() {
            return new TransferEngine() {
                @Override
                public CompletableFuture<Void> transfer(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
                    return new CompletableFuture<>();
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        protected PhysicalLayout hostLayout(LayoutConfig config, LayoutType type) {
            return HostLayouts.allocate(config, type, StorageKind.SYSTEM);
        }

        @Override
        protected PhysicalLayout layoutUnderTest(LayoutConfig config, LayoutType type) {
            return HostLayouts.allocate(config, type, StorageKind.PINNED);
        }

        @Override
        protected Duration timeout() {
            return Duration.ofMillis(200);
        }
    }

    private static Events run(Class<?> contract) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().testEvents();
    }

    private static Set<String> failed(Events events) {
        Set<String> names = new TreeSet<>();
        events.failed().stream().map(Event::getTestDescriptor).forEach(d -> names.add(d.getDisplayName()
                .replaceAll("\\(.*", "")));
        return names;
    }

    @Test
    void aProviderBuiltOnTheSpiBasesPassesTheAllocatorContract() {
        Events events = run(PassingAllocatorContract.class);
        assertEquals(0, events.failed().count(), () -> "failed: " + failed(events));
        assertTrue(events.succeeded().count() >= 12, "the contract's cases ran: " + events.succeeded().count());
    }

    @Test
    void aLeakingAllocatorFails() {
        Set<String> failed = failed(run(LeakingAllocatorContract.class));
        assertTrue(failed.contains("outstandingCountsEveryRegionAndReturnsToZeroWhenTheyClose"), failed.toString());
        assertTrue(failed.contains("closingARegionTwiceReturnsItsBytesOnce"), failed.toString());
    }

    @Test
    void anAllocatorThatIgnoresItsLimitFails() {
        Set<String> failed = failed(run(UnboundedAllocatorContract.class));
        assertTrue(failed.contains("overTheLimitFailsWithAllocationFailedAndChangesNothing"), failed.toString());
        assertTrue(failed.contains("concurrentAllocationsNeverExceedTheLimitAndAllReturn"), failed.toString());
    }

    @Test
    void anEngineThatNeverCompletesFailsWithinItsTimeouts() {
        long start = System.nanoTime();
        Events events = run(HangingEngineContract.class);
        Set<String> failed = failed(events);
        assertTrue(failed.contains("anEmptyTransferCompletesAtOnce"), failed.toString());
        assertTrue(failed.contains("aClosedEngineRefusesWorkAndClosesTwice"), failed.toString());
        assertTrue(failed.contains("concurrentTransfersFromSeveralThreadsStayByteExact"), failed.toString());
        assertEquals(0, events.succeeded().count(), "a hanging engine passed a case");
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(60).toNanos(), "the waits were not bounded");
        assertTrue(events.stream().anyMatch(e -> e.getType() == EventType.FINISHED), "the cases finished");
    }

    @Test
    void theOverLimitRefusalIsAllocationFailed() {
        try (StorageAllocator a = new ReferenceAllocator(4096)) {
            KvbmException e = org.junit.jupiter.api.Assertions.assertThrows(KvbmException.class, () -> a.allocate(8192, 1));
            assertEquals(ErrorCode.ALLOCATION_FAILED, e.code());
            assertTrue(e.getMessage().contains("test.limit"), e.getMessage());
        }
    }

    /** FullyContiguous math with the block stride halved: block b + 1 starts inside block b. */
    static final class OverlappingLayout implements dev.kvbm.api.layout.BlockLayout {
        private final dev.kvbm.api.layout.BlockLayout fc;

        OverlappingLayout(LayoutConfig config) {
            fc = dev.kvbm.api.layout.BlockLayout.of(config, LayoutType.FULLY_CONTIGUOUS);
        }

        public LayoutConfig config() { return fc.config(); }
        public LayoutType type() { return LayoutType.provided(new OverlappingProvider(), java.util.Map.of()); }
        public int numStorageRegions() { return 1; }
        public long outerStride() { return fc.outerStride(); }
        public long layerStride() { return fc.layerStride(); }
        public long blockStride() { return fc.blockStride() / 2; }
        public long layoutDataBytes() { return fc.layoutDataBytes(); }
        public long requiredAllocationSize() { return fc.requiredAllocationSize(); }
        public boolean blockContiguous() { return true; }

        public dev.kvbm.api.layout.MemoryRegion memoryRegion(int block, int layer, int outer) {
            checkIndices(block, layer, outer);
            return fc.memoryRegion(0, layer, outer).shifted(block * blockStride());
        }
    }

    public static final class OverlappingProvider implements dev.kvbm.api.spi.LayoutProvider {
        public String name() { return "overlapping"; }
        public String description() { return "a broken layout"; }
        public dev.kvbm.api.layout.BlockLayout create(LayoutConfig config, java.util.Map<String, String> parameters) {
            return new OverlappingLayout(config);
        }
    }

    static class OverlappingLayoutContract extends LayoutContract {
        @Override
        protected dev.kvbm.api.spi.LayoutProvider provider() {
            return new OverlappingProvider();
        }
    }

    @Test
    void aLayoutWhoseBlocksOverlapFails() {
        Set<String> failed = failed(run(OverlappingLayoutContract.class));
        assertTrue(failed.contains("noTwoPagesOverlap"), failed.toString());
        assertTrue(failed.contains("fc -> under test -> fc"), "copies through it lose bytes: " + failed);
    }
}
