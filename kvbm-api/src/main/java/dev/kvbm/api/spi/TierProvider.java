package dev.kvbm.api.spi;

import dev.kvbm.api.Tier;
import java.util.Set;

/**
 * A storage tier implementation (G1 device memory, G2 pinned host memory, G3 disk, ...). The core picks
 * one available provider per tier, asks it for an allocator, and lays the tier's blocks out in what it
 * allocates.
 */
public interface TierProvider extends KvbmProvider {

    /** The tiers this provider can serve (a host provider can stand in for G1 on a machine without GPU). */
    Set<Tier> tiers();

    /** The kind of storage its allocators hand out. */
    StorageKind storageKind();

    /** Among providers of one tier, the higher wins (pinned over pageable, for example). */
    default int priority() {
        return 0;
    }

    /** An allocator for the tier described by {@code config}; sizes and options are validated here. */
    StorageAllocator createAllocator(TierConfig config);
}
