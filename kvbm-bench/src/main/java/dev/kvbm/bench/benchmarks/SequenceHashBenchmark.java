package dev.kvbm.bench.benchmarks;

import dev.kvbm.core.hash.TokenBlockSequence;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * Sequence hashing of a {@value #TOKENS}-token request into blocks (block hashes chained into sequence
 * hashes), against the reference of one XXH3-64 pass over the same token bytes, same run. Divide a score
 * by {@value #TOKENS} for the cost per token.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SequenceHashBenchmark {
    public static final int TOKENS = 4096;

    @Param({"16", "32", "64"})
    public int blockSize;

    private int[] tokens;
    private byte[] tokenBytes;

    @Setup(Level.Trial)
    public void setUp() {
        tokens = new int[TOKENS];
        ByteBuffer b = ByteBuffer.allocate(TOKENS * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < TOKENS; i++) {
            tokens[i] = i * 7919 % 128_000;
            b.putInt(tokens[i]);
        }
        tokenBytes = b.array();
    }

    @Benchmark
    public long sequenceHashes() {
        long[] h = TokenBlockSequence.of(tokens, blockSize, 1337).sequenceHashes();
        return h[h.length - 1];
    }

    @Benchmark
    public long xxh3Reference() {
        return LongHashFunction.xx3(1337).hashBytes(tokenBytes);
    }
}
