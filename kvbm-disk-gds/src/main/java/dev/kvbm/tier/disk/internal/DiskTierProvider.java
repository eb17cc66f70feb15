package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tier.disk.DiskTierOptions;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** {@code disk}: G3 cache files (O_DIRECT, fallocate through FFM), one per FullyContiguous layout or per layer. */
public final class DiskTierProvider extends ProbedProvider implements TierProvider {
    public static final String NAME = dev.kvbm.api.spi.ProviderNames.DISK;

    public DiskTierProvider() {
        super(NAME, "local disk files (mode 0600, O_DIRECT, fallocate, unlinked on close) in " + DiskTierOptions.CACHE_DIR);
    }

    @Override
    protected Optional<String> probe() {
        return LibC.unavailabilityCause();
    }

    @Override
    public Set<Tier> tiers() {
        return EnumSet.of(Tier.G3);
    }

    @Override
    public StorageKind storageKind() {
        return StorageKind.DISK;
    }

    @Override
    public StorageAllocator createAllocator(TierConfig config) {
        requireAvailable("create an allocator");
        var o = config.options();
        String dirText = Options.string(o, DiskTierOptions.CACHE_DIR).orElse(System.getProperty("java.io.tmpdir"));
        Path dir;
        try {
            dir = Path.of(dirText).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw KvbmException.invalid(DiskTierOptions.CACHE_DIR, "'" + dirText + "'", "a directory path");
        }
        long limit = Options.longOption(o, DiskTierOptions.LIMIT_BYTES, Long.MAX_VALUE, 1, Long.MAX_VALUE);
        return new DiskAllocator(dir, !Options.present(o, DiskTierOptions.DISABLE_O_DIRECT),
                Options.present(o, DiskTierOptions.ZEROFILL_FALLBACK), limit, LibC::fallocate);
    }
}
