package dev.kvbm.tier.cuda.internal;

import dev.kvbm.tck.ProviderDeclarationsContract;
import java.util.Set;

/** The TCK's declaration checks for dev.kvbm.tier.cuda. */
class ProviderDeclarationsTest extends ProviderDeclarationsContract {

    @Override
    protected Class<?> moduleAnchor() {
        return CudaTierProvider.class;
    }

    @Override
    protected Set<String> expectedServices() {
        return Set.of("dev.kvbm.api.spi.TierProvider", "dev.kvbm.api.spi.TransferEngineProvider",
                "dev.kvbm.api.spi.HostMemoryRegistrarProvider");
    }

    @Override
    protected Set<String> expectedExports() {
        return Set.of("dev.kvbm.tier.cuda");
    }
}
