package dev.kvbm.engine.llamacpp.internal;

import dev.kvbm.tck.ProviderDeclarationsContract;
import java.util.Set;

/** The TCK's declaration checks for dev.kvbm.engine.llamacpp. */
class ProviderDeclarationsTest extends ProviderDeclarationsContract {

    @Override
    protected Class<?> moduleAnchor() {
        return LlamaCppConnector.class;
    }

    @Override
    protected Set<String> expectedServices() {
        return Set.of("dev.kvbm.api.spi.EngineConnector");
    }

    @Override
    protected Set<String> expectedExports() {
        return Set.of("dev.kvbm.engine.llamacpp");
    }
}
