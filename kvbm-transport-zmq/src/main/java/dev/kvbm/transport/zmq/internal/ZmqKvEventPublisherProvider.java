package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.events.KvEventPublisher;
import dev.kvbm.api.spi.KvEventPublisherProvider;
import dev.kvbm.api.spi.KvEventsConfig;
import dev.kvbm.api.spi.ProbedProvider;

/** KV events in vLLM's format over ZeroMQ PUB, with a ROUTER replay endpoint. */
public final class ZmqKvEventPublisherProvider extends ProbedProvider implements KvEventPublisherProvider {

    public ZmqKvEventPublisherProvider() {
        super("zmq", "KV events as vLLM's KVEventBatch (msgpack) over ZeroMQ PUB, missed batches over ROUTER (JeroMQ)");
    }

    @Override
    public KvEventPublisher open(KvEventsConfig config) {
        return new ZmqKvEventPublisher(config);
    }
}
