/**
 * Prometheus metrics of a {@link dev.kvbm.core.manager.KvBlockManager}: Dynamo's KVBM names where they
 * exist, and counters that add up (requested blocks, hits per tier, bytes and seconds per path), served
 * at {@code /metrics} over HTTP on loopback. Optional: without this module the CLI has no metrics.
 *
 * <p>Configuration: {@code DYN_KVBM_METRICS} ({@code true} turns metrics on), {@code DYN_KVBM_METRICS_PORT}
 * (default 6880, Dynamo's).
 */
module dev.kvbm.metrics {
    requires transitive dev.kvbm.core;
    requires transitive micrometer.core;
    requires micrometer.registry.prometheus;
    requires jdk.httpserver;

    exports dev.kvbm.metrics;
}
