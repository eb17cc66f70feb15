/**
 * The kvbm core: the registry of tier, transfer-engine and transport providers (the only module that
 * calls {@link java.util.ServiceLoader}), and Dynamo-compatible sequence hashing of token blocks.
 *
 * <p>System properties: {@code kvbm.provider.exclude} (comma-separated provider names to leave out).
 */
module dev.kvbm.core {
    requires transitive dev.kvbm.api;
    requires transitive zero.allocation.hashing; // SequenceHashes.hasher() returns its LongHashFunction
    // zero-allocation-hashing is an automatic module that uses sun.misc.Unsafe; it cannot require
    // jdk.unsupported itself, so without this the module is missing from the graph at run time.
    requires jdk.unsupported;
    requires HdrHistogram; // latency percentiles (an automatic module, named after its jar)

    exports dev.kvbm.core.engine;
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
}
