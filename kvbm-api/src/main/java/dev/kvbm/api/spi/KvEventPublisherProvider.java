package dev.kvbm.api.spi;

import dev.kvbm.api.events.KvEventPublisher;

/** Publishes kvbm's KV events (vLLM's format over ZeroMQ in kvbm-transport-zmq). */
public interface KvEventPublisherProvider extends KvbmProvider {

    /** A publisher bound to {@code config}'s endpoints; fails with a precise error when one cannot be bound. */
    KvEventPublisher open(KvEventsConfig config);
}
