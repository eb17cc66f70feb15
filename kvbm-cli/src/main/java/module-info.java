/**
 * The {@code kvbm} command (picocli): {@code replay}, {@code layout}, {@code hash}, {@code tiers}, {@code bench},
 * {@code leader}, {@code worker}, {@code model}. Run through the {@code ./kvbm}
 * launcher, which puts every module of the distribution on the module path with the JVM options of
 * {@code kvbm.argfile}.
 */
module dev.kvbm.cli {
    requires dev.kvbm.core;
    requires java.logging;
    requires com.fasterxml.jackson.core; // every --json report
    requires info.picocli;
    requires HdrHistogram; // kvbm leader --probe percentiles (automatic module, named after its jar)
    // The host tier is the G1/G2 of a replay on any machine, and its libc memcpy is the replay's reference.
    requires dev.kvbm.tier.host;
    requires dev.kvbm.bench;
    // replay --g1-device: the device tier's provider name and option keys (CudaOptions).
    requires dev.kvbm.tier.cuda;
    // kvbm leader / kvbm worker / kvbm replay --workers.
    requires dev.kvbm.transport.zmq;

    // picocli binds the options of the commands reflectively.
    opens dev.kvbm.cli.internal to info.picocli;
}
