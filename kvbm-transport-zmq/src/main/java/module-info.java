/**
 * Leader and workers over ZeroMQ (JeroMQ), wire-compatible with NVIDIA Dynamo's KVBM: the leader binds PUB
 * and PULL, workers connect SUB and PUSH; frames {@code [8-byte big-endian id, function, data...]};
 * {@code worker_metadata}/{@code leader_metadata} in bincode 2, {@code transfer_blocks} as JSON, answered
 * with a {@code {"ok":..}} outcome.
 *
 * <p>Configuration: {@code DYN_KVBM_LEADER_ZMQ_HOST}, {@code DYN_KVBM_LEADER_ZMQ_PUB_PORT},
 * {@code DYN_KVBM_LEADER_ZMQ_ACK_PORT}, {@code DYN_KVBM_LEADER_WORKER_INIT_TIMEOUT_SECS},
 * {@code DYN_KVBM_CPU_CACHE_GB}, {@code DYN_KVBM_CPU_CACHE_OVERRIDE_NUM_BLOCKS}, {@code DYN_KVBM_DISK_CACHE_GB},
 * {@code DYN_KVBM_DISK_CACHE_OVERRIDE_NUM_BLOCKS}; transport options in
 * {@link dev.kvbm.transport.zmq.ZmqOptions}.
 */
module dev.kvbm.transport.zmq {
    requires transitive dev.kvbm.core;
    requires org.zeromq.jeromq;
    requires com.fasterxml.jackson.core; // the JSON payloads (internal.PayloadJson)
    // CURVE crypto: jeromq requires it only statically, so without this it is missing at run time.
    requires jnacl;
    // KV events: vLLM's KVEventBatch is msgpack (an automatic module, named after its jar).
    requires msgpack.core;
    // com.sun.nio.file.ExtendedOpenOption.DIRECT: followers read rank 0's G3 files with O_DIRECT (replicated mode)
    requires jdk.unsupported;

    exports dev.kvbm.transport.zmq;

    provides dev.kvbm.api.spi.TransportProvider with dev.kvbm.transport.zmq.internal.ZmqTransportProvider;
    provides dev.kvbm.api.spi.KvEventPublisherProvider with dev.kvbm.transport.zmq.internal.ZmqKvEventPublisherProvider;
}
