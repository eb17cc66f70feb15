package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.events.KvEventPublisher;
import dev.kvbm.api.spi.KvEventPublisherProvider;
import dev.kvbm.api.spi.KvEventsConfig;
import java.util.Optional;

/** KV events in vLLM's format over ZeroMQ PUB, with a ROUTER replay endpoint. */
public final class ZmqKvEventPublisherProvider implements KvEventPublisherProvider {

    @Override
    public String name() {
        return "zmq";
    }

    @Override
    public String description() {
        return "KV events as vLLM's KVEventBatch (msgpack) over ZeroMQ PUB, missed batches over ROUTER (JeroMQ)";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return Optional.empty();
    }

    @Override
    public KvEventPublisher open(KvEventsConfig config) {
        return new ZmqKvEventPublisher(config);
    }
}
