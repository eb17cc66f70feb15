package dev.kvbm.tier.host;

import dev.kvbm.api.spi.HostMemoryStorage;

/**
 * Host memory from the {@code host-pinned} tier: what it actually got from the operating system.
 * {@link #pinned()} is false when {@code mlock} was refused (RLIMIT_MEMLOCK too low) and the region fell
 * back to pageable memory.
 */
public interface PinnedMemory extends HostMemoryStorage {

    /** True when every page of the region is locked in RAM. */
    boolean pinned();

    /** Wall time of the allocation: Chronicle allocation, parallel first touch, mlock and registration. */
    long allocationNanos();
}
