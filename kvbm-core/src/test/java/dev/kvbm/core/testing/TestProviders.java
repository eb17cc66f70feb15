package dev.kvbm.core.testing;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import dev.kvbm.core.integrity.BlockBytes;
import dev.kvbm.core.providers.ProviderRegistry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Test-only providers: host memory from arenas for any tier, and a copy engine over
 * {@link BlockBytes} that can be told to fail. They let the core be tested without any tier module.
 */
public final class TestProviders {
    private TestProviders() {
    }

    /** A registry with the arena tier for G1..G3 and the copy engine. */
    public static ProviderRegistry registry(CopyEngineProvider engine) {
        return ProviderRegistry.of(List.of(new ArenaTierProvider()), List.of(engine), List.of(), Set.of());
    }

    public static final class ArenaStorage implements HostMemoryStorage {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment segment;
        private final AtomicLong outstanding;
        private boolean closed;

        ArenaStorage(long bytes, long alignment, AtomicLong outstanding) {
            this.segment = arena.allocate(bytes, alignment);
            this.outstanding = outstanding;
            outstanding.addAndGet(bytes);
        }

        @Override
        public MemorySegment segment() {
            return segment;
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
        public synchronized void close() {
            if (!closed) {
                closed = true;
                outstanding.addAndGet(-segment.byteSize());
                arena.close();
            }
        }
    }

    public static final class ArenaTierProvider implements TierProvider {
        public static final AtomicLong OUTSTANDING = new AtomicLong();

        @Override
        public String name() {
            return "test-arena";
        }

        @Override
        public String description() {
            return "arena memory for tests";
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public Optional<String> unavailabilityCause() {
            return Optional.empty();
        }

        @Override
        public Set<Tier> tiers() {
            return EnumSet.of(Tier.G1, Tier.G2, Tier.G3);
        }

        @Override
        public StorageKind storageKind() {
            return StorageKind.SYSTEM;
        }

        @Override
        public StorageAllocator createAllocator(TierConfig config) {
            return new StorageAllocator() {
                @Override
                public StorageKind kind() {
                    return StorageKind.SYSTEM;
                }

                @Override
                public Storage allocate(long bytes, long alignment) {
                    return new ArenaStorage(bytes, alignment, OUTSTANDING);
                }

                @Override
                public long limit() {
                    return Long.MAX_VALUE;
                }

                @Override
                public long outstanding() {
                    return OUTSTANDING.get();
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /** Copies page by page through {@link BlockBytes}; fails transfers whose pairs match {@link #failWhen}. */
    public static final class CopyEngineProvider implements TransferEngineProvider {
        public volatile Predicate<List<BlockPair>> failWhen = pairs -> false;
        /** When set with {@link #failing} true, transfers from or to this layout fail (a broken device). */
        public static volatile PhysicalLayout failLayout;
        public static volatile java.util.concurrent.atomic.AtomicBoolean failing;
        public final AtomicLong transfers = new AtomicLong();
        /** Where copies run and their futures complete (an engine's I/O threads); the common pool by default. */
        public volatile java.util.concurrent.Executor executor = java.util.concurrent.ForkJoinPool.commonPool();

        @Override
        public String name() {
            return "test-copy";
        }

        @Override
        public String description() {
            return "page-by-page copies for tests";
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public Optional<String> unavailabilityCause() {
            return Optional.empty();
        }

        @Override
        public int preference(StorageKind source, StorageKind target) {
            return source.hostAddressable() && target.hostAddressable() ? 1 : UNSUPPORTED;
        }

        @Override
        public TransferEngine create(Map<String, String> options) {
            return new TransferEngine() {
                @Override
                public CompletableFuture<Void> transfer(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
                    transfers.incrementAndGet();
                    return CompletableFuture.runAsync(() -> {
                        PhysicalLayout broken = failLayout;
                        var on = failing;
                        if (broken != null && on != null && on.get() && (source == broken || target == broken)) {
                            throw new KvbmException(ErrorCode.TRANSFER_FAILED, "injected I/O error on a broken tier");
                        }
                        if (failWhen.test(pairs)) {
                            throw new KvbmException(ErrorCode.TRANSFER_FAILED, "injected failure");
                        }
                        for (BlockPair p : pairs) {
                            copy(BlockBytes.segments(source, p.source()), BlockBytes.segments(target, p.target()));
                        }
                    }, executor);
                }

                @Override
                public void close() {
                }
            };
        }

        /** Copies a block's bytes between two page lists of any split (FullyContiguous or per page). */
        static void copy(List<MemorySegment> from, List<MemorySegment> to) {
            int fi = 0;
            int ti = 0;
            long fo = 0;
            long to_ = 0;
            while (fi < from.size() && ti < to.size()) {
                MemorySegment f = from.get(fi);
                MemorySegment t = to.get(ti);
                long n = Math.min(f.byteSize() - fo, t.byteSize() - to_);
                MemorySegment.copy(f, fo, t, to_, n);
                fo += n;
                to_ += n;
                if (fo == f.byteSize()) {
                    fi++;
                    fo = 0;
                }
                if (to_ == t.byteSize()) {
                    ti++;
                    to_ = 0;
                }
            }
        }
    }
}
