package dev.kvbm.tier.host.internal;

import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.tck.StorageAllocatorContract;
import dev.kvbm.tck.TierProviderContract;
import dev.kvbm.tier.host.HostTierOptions;
import java.util.Map;
import org.junit.jupiter.api.Nested;

/** The TCK's allocator and tier-provider contracts for host-system and host-pinned. */
class HostContractsTest {

    @Nested
    class SystemAllocator extends StorageAllocatorContract {
        @Override
        protected StorageAllocator createAllocator(long limitBytes) {
            return new SystemHostAllocator(limitBytes);
        }
    }

    @Nested
    class PinnedAllocator extends StorageAllocatorContract {
        @Override
        protected StorageAllocator createAllocator(long limitBytes) {
            PinnedHostTierProvider p = new PinnedHostTierProvider();
            TierProviderContract.assumeAvailable(p);
            // mlock on: where RLIMIT_MEMLOCK refuses, the region falls back to pageable memory and the contract still holds.
            return new PinnedHostAllocator(limitBytes, HostTierOptions.DEFAULT_CHUNK_BYTES, 2, true, MemoryLocker.LIBC,
                    dev.kvbm.api.spi.HostMemoryRegistrar.NONE);
        }
    }

    @Nested
    class SystemTier extends TierProviderContract {
        @Override
        protected TierProvider createProvider() {
            return new SystemHostTierProvider();
        }

        @Override
        protected String limitOption() {
            return HostTierOptions.LIMIT_BYTES;
        }
    }

    @Nested
    class PinnedTier extends TierProviderContract {
        @Override
        protected TierProvider createProvider() {
            return new PinnedHostTierProvider();
        }

        @Override
        protected String limitOption() {
            return HostTierOptions.LIMIT_BYTES;
        }

        @Override
        protected Map<String, String> options() {
            return Map.of(HostTierOptions.MLOCK, "false");
        }
    }
}
