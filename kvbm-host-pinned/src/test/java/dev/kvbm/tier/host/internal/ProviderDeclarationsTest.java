package dev.kvbm.tier.host.internal;

import dev.kvbm.tck.ProviderDeclarationsContract;
import java.util.Set;

/** The TCK's declaration checks for dev.kvbm.tier.host. */
class ProviderDeclarationsTest extends ProviderDeclarationsContract {

    @Override
    protected Class<?> moduleAnchor() {
        return PinnedHostTierProvider.class;
    }

    @Override
    protected Set<String> expectedServices() {
        return Set.of("dev.kvbm.api.spi.TierProvider", "dev.kvbm.api.spi.TransferEngineProvider");
    }

    @Override
    protected Set<String> expectedExports() {
        return Set.of("dev.kvbm.tier.host");
    }
}
