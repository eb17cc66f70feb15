/**
 * The kvbm core: the registry of tier, transfer-engine, transport and layout providers (the only module that
 * calls {@link java.util.ServiceLoader}), and Dynamo-compatible sequence hashing of token blocks.
 *
 * <p>{@code dev.kvbm.core.cluster} runs a distributed leader and its workers over any transport provider
 * (found by name, {@code zmq} by default): handshake, membership and rejoin, transfers, replicated ranks.
 * Its environment: {@code DYN_KVBM_LEADER_WORKER_INIT_TIMEOUT_SECS}, {@code DYN_KVBM_CPU_CACHE_GB},
 * {@code DYN_KVBM_CPU_CACHE_OVERRIDE_NUM_BLOCKS}, {@code DYN_KVBM_DISK_CACHE_GB},
 * {@code DYN_KVBM_DISK_CACHE_OVERRIDE_NUM_BLOCKS}.
 *
 * <p>System properties: {@code kvbm.provider.exclude} (comma-separated provider names to leave out).
 */
module dev.kvbm.core {
    requires transitive dev.kvbm.api;
    requires zero.allocation.hashing; // XXH3 behind dev.kvbm.core.hash.BlockHasher, not part of the API
    // zero-allocation-hashing is an automatic module that uses sun.misc.Unsafe; it cannot require
    // jdk.unsupported itself, so without this the module is missing from the graph at run time.
    requires jdk.unsupported;
    requires com.fasterxml.jackson.core; // MooncakeTrace: the trace reader
    requires HdrHistogram; // Replayer: the manager's p50/p99 per request (automatic module, named after its jar)

    exports dev.kvbm.core.cluster;
    exports dev.kvbm.core.engine;
    exports dev.kvbm.core.events;
    exports dev.kvbm.core.hash;
    exports dev.kvbm.core.integrity;
    exports dev.kvbm.core.manager;
    exports dev.kvbm.core.offload;
    exports dev.kvbm.core.pool;
    exports dev.kvbm.core.providers;
    exports dev.kvbm.core.remote;
    exports dev.kvbm.core.replay;
    exports dev.kvbm.core.transfer;

    uses dev.kvbm.api.spi.TierProvider;
    uses dev.kvbm.api.spi.TransferEngineProvider;
    uses dev.kvbm.api.spi.TransportProvider;
    uses dev.kvbm.api.spi.EngineConnector;
    uses dev.kvbm.api.spi.KvEventPublisherProvider;
    uses dev.kvbm.api.spi.HostMemoryRegistrarProvider;
    uses dev.kvbm.api.spi.LayoutProvider;
}
