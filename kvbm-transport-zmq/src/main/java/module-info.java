/**
 * The {@code zmq} transport: the leader/worker messaging of kvbm-core's {@code dev.kvbm.core.cluster} over
 * ZeroMQ (JeroMQ), wire-compatible with NVIDIA Dynamo's KVBM: the leader binds PUB and PULL, workers connect
 * SUB and PUSH; frames {@code [8-byte big-endian id, function, data...]}; {@code worker_metadata}/
 * {@code leader_metadata} in bincode 2, {@code transfer_blocks} as JSON, answered with a {@code {"ok":..}}
 * outcome. Sockets, CURVE and the codecs are internal; the core finds the provider by name.
 *
 * <p>Configuration: {@code DYN_KVBM_LEADER_ZMQ_HOST}, {@code DYN_KVBM_LEADER_ZMQ_PUB_PORT},
 * {@code DYN_KVBM_LEADER_ZMQ_ACK_PORT} ({@link dev.kvbm.transport.zmq.ZmqOptions#endpoints}); transport
 * options in {@link dev.kvbm.transport.zmq.ZmqOptions}.
 */
module dev.kvbm.transport.zmq {
    requires transitive dev.kvbm.api;
    requires org.zeromq.jeromq;
    requires com.fasterxml.jackson.core; // the JSON payloads (internal.PayloadJson)
    // CURVE crypto: jeromq requires it only statically, so without this it is missing at run time.
    requires jnacl;
    // KV events: vLLM's KVEventBatch is msgpack (an automatic module, named after its jar).
    requires msgpack.core;

    exports dev.kvbm.transport.zmq;

    provides dev.kvbm.api.spi.TransportProvider with dev.kvbm.transport.zmq.internal.ZmqTransportProvider;
    provides dev.kvbm.api.spi.KvEventPublisherProvider with dev.kvbm.transport.zmq.internal.ZmqKvEventPublisherProvider;
}
