package dev.kvbm.examples.shm.internal;

import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.examples.shm.ShmOptions;
import dev.kvbm.tck.ProviderDeclarationsContract;
import dev.kvbm.tck.StorageAllocatorContract;
import dev.kvbm.tck.TierProviderContract;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Nested;

/** The kvbm TCK, run by a third-party tier: each contract needs one or two factory methods. */
class ShmContractsTest {

    @Nested
    class Allocator extends StorageAllocatorContract {
        @Override
        protected StorageAllocator createAllocator(long limitBytes) {
            TierProviderContract.assumeAvailable(new ShmTierProvider()); // no /dev/shm: skipped with the cause
            return new ShmAllocator(Path.of(ShmOptions.DEFAULT_DIRECTORY), limitBytes);
        }
    }

    @Nested
    class Tier extends TierProviderContract {
        @Override
        protected TierProvider createProvider() {
            return new ShmTierProvider();
        }

        @Override
        protected String limitOption() {
            return ShmOptions.LIMIT_BYTES;
        }
    }

    @Nested
    class Declarations extends ProviderDeclarationsContract {
        @Override
        protected Class<?> moduleAnchor() {
            return ShmTierProvider.class;
        }

        @Override
        protected Set<String> expectedServices() {
            return Set.of("dev.kvbm.api.spi.TierProvider");
        }

        @Override
        protected Set<String> expectedExports() {
            return Set.of("dev.kvbm.examples.shm");
        }
    }
}
