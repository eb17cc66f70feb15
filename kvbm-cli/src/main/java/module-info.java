/**
 * The {@code kvbm} command (picocli): {@code replay}, {@code layout}, {@code hash}, {@code tiers}, {@code bench},
 * {@code leader}, {@code worker}, {@code model}. Run through the {@code ./kvbm} launcher, which puts every jar of the
 * distribution's lib/ on the module path with the JVM options of the modules present (jvm/*.options).
 *
 * <p>Tiers are picked per deployment: the modules below are {@code requires static}, so a distribution without
 * one still resolves, and a command that needs an absent one fails with one line naming the module and its jar
 * (exit 2). Host, disk and device tiers are reached only through the provider registry.
 */
module dev.kvbm.cli {
    requires dev.kvbm.core;
    requires java.logging;
    requires com.fasterxml.jackson.core; // every --json report
    requires info.picocli;
    requires HdrHistogram; // kvbm leader --probe percentiles (automatic module, named after its jar)
    // kvbm bench.
    requires static dev.kvbm.bench;
    // replay --g1-device: the cuda tier's option key (a compile-time constant, inlined).
    requires static dev.kvbm.tier.cuda;
    // kvbm leader / kvbm worker / kvbm replay --workers.
    requires static dev.kvbm.transport.zmq;
    // replay --metrics-port: the Prometheus endpoint (only MetricsSupport names its types).
    requires static dev.kvbm.metrics;

    // picocli binds the options of the commands reflectively.
    opens dev.kvbm.cli.internal to info.picocli;
}
