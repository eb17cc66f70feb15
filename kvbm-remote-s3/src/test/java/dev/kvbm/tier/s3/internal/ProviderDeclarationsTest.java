package dev.kvbm.tier.s3.internal;

import dev.kvbm.tck.ProviderDeclarationsContract;
import java.util.Set;

/** The TCK's declaration checks for dev.kvbm.tier.s3. */
class ProviderDeclarationsTest extends ProviderDeclarationsContract {

    @Override
    protected Class<?> moduleAnchor() {
        return S3TierProvider.class;
    }

    @Override
    protected Set<String> expectedServices() {
        return Set.of("dev.kvbm.api.spi.TierProvider");
    }

    @Override
    protected Set<String> expectedExports() {
        return Set.of();
    }
}
