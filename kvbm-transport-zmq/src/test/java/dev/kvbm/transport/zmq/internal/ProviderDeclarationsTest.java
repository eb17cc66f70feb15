package dev.kvbm.transport.zmq.internal;

import dev.kvbm.tck.ProviderDeclarationsContract;
import java.util.Set;

/** The TCK's declaration checks for dev.kvbm.transport.zmq. */
class ProviderDeclarationsTest extends ProviderDeclarationsContract {

    @Override
    protected Class<?> moduleAnchor() {
        return ZmqTransportProvider.class;
    }

    @Override
    protected Set<String> expectedServices() {
        return Set.of("dev.kvbm.api.spi.TransportProvider", "dev.kvbm.api.spi.KvEventPublisherProvider");
    }

    @Override
    protected Set<String> expectedExports() {
        return Set.of("dev.kvbm.transport.zmq");
    }
}
