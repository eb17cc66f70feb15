/**
 * kvbm's JMH benchmarks (package {@code dev.kvbm.bench.benchmarks}, classes named {@code *Benchmark}),
 * each measuring its physical reference in the same run, and the runner behind {@code kvbm bench}: JSON,
 * a Markdown summary, PNG charts and a regression gate against a baseline.
 */
module dev.kvbm.bench {
    requires dev.kvbm.core;
    requires dev.kvbm.tier.host;
    requires dev.kvbm.transport.zmq;
    requires dev.kvbm.tier.cuda; // CudaCopyProbe: G1<->G2 on a GPU, next to cuMemcpyAsync
    requires jdk.unsupported; // com.sun.nio.file.ExtendedOpenOption.DIRECT for the O_DIRECT reference
    requires jmh.core;
    requires com.fasterxml.jackson.core; // baselines
    requires zero.allocation.hashing;
    requires java.desktop;

    exports dev.kvbm.bench;
    // JMH's generated code and forks use the benchmarks reflectively.
    exports dev.kvbm.bench.benchmarks;
}
