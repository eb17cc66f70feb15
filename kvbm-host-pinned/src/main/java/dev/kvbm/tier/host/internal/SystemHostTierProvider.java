package dev.kvbm.tier.host.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.tier.host.HostTierOptions;
import java.util.EnumSet;
import java.util.Set;

/** {@code host-system}: pageable host memory from the JDK, always available; the fallback of host-pinned. */
public final class SystemHostTierProvider extends ProbedProvider implements TierProvider {
    public static final String NAME = dev.kvbm.api.spi.ProviderNames.HOST_SYSTEM;

    public SystemHostTierProvider() {
        super(NAME, "pageable host memory (FFM shared arena, zeroed, page-aligned)");
    }

    @Override
    public Set<Tier> tiers() {
        return EnumSet.of(Tier.G1, Tier.G2);
    }

    @Override
    public StorageKind storageKind() {
        return StorageKind.SYSTEM;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public StorageAllocator createAllocator(TierConfig config) {
        return new SystemHostAllocator(Options.longOption(config.options(), HostTierOptions.LIMIT_BYTES,
                Long.MAX_VALUE, 1, Long.MAX_VALUE));
    }
}
