package dev.kvbm.bench.benchmarks;

import dev.kvbm.core.hash.SequenceHashes;
import java.util.concurrent.TimeUnit;
import net.openhft.hashing.LongHashFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Sequence hashing of a {@value #TOKENS}-token request into blocks (block hashes chained into sequence hashes),
 * against the reference of the same hashes in a tight loop (per block: XXH3-64 of its tokens, then XXH3-64 of the
 * parent and block hashes, into a {@code long[]}), timed in the same invocations ({@link Interleaved}). Figures are
 * per token.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SequenceHashBenchmark {
    public static final int TOKENS = 4096;
    private static final long SALT = 1337;

    @Param({"16", "32", "64"})
    public int blockSize;

    private int[] tokens;
    private LongHashFunction xxh3;
    private final long[] pair = new long[2];
    private long sink;

    @Setup(Level.Trial)
    public void setUp() {
        tokens = new int[TOKENS];
        for (int i = 0; i < TOKENS; i++) {
            tokens[i] = i * 7919 % 128_000;
        }
        xxh3 = LongHashFunction.xx3(SALT);
        boolean littleEndian = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
        if (littleEndian && sequenceHashes()[TOKENS / blockSize - 1] != tightLoop()[TOKENS / blockSize - 1]) {
            throw new IllegalStateException("the reference loop does not compute the sequence hashes");
        }
    }

    @Benchmark
    public long sequenceHashes(Interleaved timing) {
        timing.time(() -> timed(this::sequenceHashes), () -> timed(this::tightLoop), TOKENS);
        return sink;
    }

    /** Nanoseconds {@code hashing} took; its last hash goes to the sink so nothing is optimised away. */
    private long timed(java.util.function.Supplier<long[]> hashing) {
        long t0 = System.nanoTime();
        long[] h = hashing.get();
        long t = System.nanoTime() - t0;
        sink += h[h.length - 1];
        return t;
    }

    private long[] sequenceHashes() {
        return SequenceHashes.sequenceHashes(tokens, blockSize, SALT);
    }

    /** Dynamo's hashes with nothing else: the ints hashed in place (little-endian machines), the chain input reused. */
    private long[] tightLoop() {
        int n = TOKENS / blockSize;
        long[] hashes = new long[n];
        long parent = 0;
        for (int b = 0; b < n; b++) {
            long blockHash = xxh3.hashInts(tokens, b * blockSize, blockSize);
            if (b == 0) {
                parent = blockHash;
            } else {
                pair[0] = parent;
                pair[1] = blockHash;
                parent = xxh3.hashLongs(pair, 0, 2);
            }
            hashes[b] = parent;
        }
        return hashes;
    }
}
