package dev.kvbm.cli.internal;

import picocli.CommandLine.Option;

/** The options of what a replay, a leader and a worker serve beside their work, as picocli mixins. */
final class ServiceOptions {
    private ServiceOptions() {
    }

    /** {@code --g4 URI}. */
    static final class G4 {
        @Option(names = "--g4", paramLabel = "URI", description = "G4 shared by many machines: redis://HOST:PORT, "
                + "rediss://..., redis-cluster://H1:P1,H2:P2 or s3://BUCKET?endpoint=URL (credentials from the environment)")
        String uri;
    }

    /** {@code --events}, {@code --events-replay}. */
    static final class Events {
        @Option(names = "--events", paramLabel = "tcp://HOST:PORT", description = "publish KV events (vLLM's KVEventBatch) "
                + "on this ZeroMQ PUB endpoint (env KVBM_EVENTS_ENDPOINT)")
        String endpoint;
        @Option(names = "--events-replay", paramLabel = "tcp://HOST:PORT", description = "serve missed event batches on "
                + "this ROUTER endpoint (env KVBM_EVENTS_REPLAY_ENDPOINT)")
        String replay;
    }

    /** {@code --metrics-port P}. */
    static final class Metrics {
        @Range(max = 65_535)
        @Option(names = "--metrics-port", paramLabel = "P", description = "serve Prometheus metrics at http://127.0.0.1:P/"
                + "metrics, 0..65535 (0: any free port; env DYN_KVBM_METRICS=true with DYN_KVBM_METRICS_PORT, default 6880)")
        Integer port;
    }
}
