package dev.kvbm.core.manager;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.core.pool.BlockPool;

/**
 * One assembled tier: its pool of block ids, the physical layout holding the bytes, and the provider
 * and allocator they came from.
 *
 * @param allocationNanos how long allocating (and pinning) the tier's storage took
 */
public record TierRuntime(Tier tier, String provider, BlockPool pool, PhysicalLayout layout, StorageAllocator allocator,
                          long allocationNanos) {

    /** Bytes of one block's data in this tier. */
    public long blockBytes() {
        return layout.layout().config().blockDataBytes();
    }

    void close() {
        layout.close();
        allocator.close();
    }
}
