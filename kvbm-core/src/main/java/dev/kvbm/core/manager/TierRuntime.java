package dev.kvbm.core.manager;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.core.pool.BlockPool;
import java.util.Optional;

/**
 * One assembled tier: its pool of block ids and, when this process holds the tier's bytes, the
 * physical layout and the allocator it came from (a distributed leader's tiers are logical: no bytes).
 *
 * @param provider        the tier provider's name, or {@code logical}
 * @param blockBytes      bytes of one block (over all workers, for a logical tier)
 * @param allocationNanos how long allocating (and pinning) the tier's storage took
 */
public record TierRuntime(Tier tier, String provider, BlockPool pool, Optional<PhysicalLayout> layout,
                          Optional<StorageAllocator> allocator, long blockBytes, long allocationNanos) {

    /** The physical layout; fails for a logical tier, whose bytes live in other processes. */
    public PhysicalLayout physical() {
        return layout.orElseThrow(() -> new dev.kvbm.api.KvbmException(dev.kvbm.api.ErrorCode.INVALID_STATE,
                tier + " is logical here: its bytes are held by the workers"));
    }

    void close() {
        layout.ifPresent(PhysicalLayout::close);
        allocator.ifPresent(StorageAllocator::close);
    }
}
