/**
 * kvbm's JMH benchmarks (package {@code dev.kvbm.bench.benchmarks}, classes named {@code *Benchmark}),
 * each measuring its physical reference in the same run, and the runner behind {@code kvbm bench}: JSON,
 * a Markdown summary, PNG charts and a regression gate against a baseline.
 *
 * <p>The tier and transport modules are {@code requires static}: the benchmarks of a module that is not in the
 * distribution are left out of the run (and listed as skipped), the others run.
 */
module dev.kvbm.bench {
    requires dev.kvbm.core;
    requires static dev.kvbm.tier.host; // LibcMemcpy: the host-copy benchmark's reference
    requires static dev.kvbm.transport.zmq; // the transfer_blocks round trip
    requires static org.zeromq.jeromq; // its raw REQ/REP reference
    requires static dev.kvbm.tier.cuda; // CudaCopyProbe: G1<->G2 on a GPU, next to cuMemcpyAsync
    requires jdk.unsupported; // com.sun.nio.file.ExtendedOpenOption.DIRECT for the O_DIRECT reference
    requires jmh.core;
    requires com.fasterxml.jackson.core; // baselines
    requires zero.allocation.hashing; // raw XXH3, the sequence-hash benchmark's reference
    requires java.desktop;

    exports dev.kvbm.bench;
    // JMH's generated code and forks use the benchmarks reflectively.
    exports dev.kvbm.bench.benchmarks;
}
