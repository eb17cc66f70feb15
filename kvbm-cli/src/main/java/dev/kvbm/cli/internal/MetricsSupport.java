package dev.kvbm.cli.internal;

import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.metrics.KvbmMetrics;
import dev.kvbm.metrics.MetricsEndpoint;

/**
 * The one class of the CLI that touches kvbm-metrics (an optional module): callers hold its endpoint as an
 * {@link AutoCloseable}, so no command class names a type of a module that may be absent.
 */
final class MetricsSupport {

    private MetricsSupport() {
    }

    /** Starts {@code /metrics} on loopback at {@code port} and registers {@code manager}'s figures there. */
    static AutoCloseable serve(KvBlockManager manager, int port) {
        MetricsEndpoint endpoint = MetricsEndpoint.start(port);
        KvbmMetrics.bind(manager, endpoint.registry());
        return endpoint;
    }

    /** Starts {@code /metrics} on loopback at {@code port} with a distributed worker's figures. */
    static AutoCloseable serve(dev.kvbm.core.cluster.Worker worker, int port) {
        MetricsEndpoint endpoint = MetricsEndpoint.start(port);
        KvbmMetrics.bind(worker, endpoint.registry());
        return endpoint;
    }

    /** The port an endpoint of {@link #serve} listens on. */
    static int port(AutoCloseable endpoint) {
        return ((MetricsEndpoint) endpoint).port();
    }
}
