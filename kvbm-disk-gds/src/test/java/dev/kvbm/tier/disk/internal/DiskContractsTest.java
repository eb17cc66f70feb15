package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.tck.StorageAllocatorContract;
import dev.kvbm.tck.TierProviderContract;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tier.disk.DiskTierOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;

/** The TCK's allocator and tier-provider contracts for the disk tier, in a fresh directory under target/. */
class DiskContractsTest {
    private Path dir;

    @BeforeEach
    void createDirectory() throws IOException {
        Files.createDirectories(Path.of("target"));
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tck-disk");
    }

    @AfterEach
    void removeDirectory() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f); // a file left here is a region the contract's closes did not unlink
            }
        }
        Files.delete(dir);
    }

    @Nested
    class Allocator extends StorageAllocatorContract {
        @Override
        protected StorageAllocator createAllocator(long limitBytes) {
            TierProviderContract.assumeAvailable(new DiskTierProvider());
            return new DiskAllocator(dir, true, false, limitBytes, LibC::fallocate);
        }
    }

    @Nested
    class Tier extends TierProviderContract {
        @Override
        protected TierProvider createProvider() {
            return new DiskTierProvider();
        }

        @Override
        protected String limitOption() {
            return DiskTierOptions.LIMIT_BYTES;
        }

        @Override
        protected Map<String, String> options() {
            return Map.of(DiskTierOptions.CACHE_DIR, dir.toString());
        }
    }
}
