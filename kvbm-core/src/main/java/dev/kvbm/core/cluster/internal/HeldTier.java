package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.core.internal.TierAssembly;
import dev.kvbm.core.providers.ProviderRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One tier a worker holds.
 *
 * @param allocator null when the bytes are rank 0's (a replicated follower maps them)
 * @param shared    G2 in replicated mode
 * @param disk      G3 in replicated mode: on rank 0 its publication, on the other ranks rank 0's files read-only
 */
public record HeldTier(Tier tier, PhysicalLayout layout, StorageAllocator allocator, SharedHostRegion shared,
                       SharedDiskFiles disk) {
    private static final AtomicLong OPEN = new AtomicLong();

    /** Counts the tier as open until {@link #close()}. */
    public static HeldTier opened(Tier tier, PhysicalLayout layout, StorageAllocator allocator, SharedHostRegion shared,
                                  SharedDiskFiles disk) {
        OPEN.incrementAndGet();
        return new HeldTier(tier, layout, allocator, shared, disk);
    }

    /** Allocates a tier on the best provider for it (the block manager's tier assembly). */
    public static HeldTier assemble(ProviderRegistry registry, Tier tier, LayoutConfig config, LayoutType type,
                                    Map<String, String> options) {
        TierAssembly.Assembled a = TierAssembly.allocate(TierAssembly.provider(registry, tier, null), tier, config, type, options);
        return opened(tier, a.layout(), a.allocator(), null, null);
    }

    /** Tiers held by the workers of this JVM and not closed yet (for leak checks). */
    public static long open() {
        return OPEN.get();
    }

    /** Whether the rank 0 this replicated follower reads from is gone. */
    public boolean ownerGone() {
        return (shared != null && !shared.owner().alive()) || (disk != null && !disk.owner().alive());
    }

    public void close() {
        if (disk != null) {
            disk.close(); // withdrawn before rank 0's files are unlinked
        }
        layout.close();
        if (allocator != null) {
            allocator.close();
        }
        OPEN.decrementAndGet();
    }
}
