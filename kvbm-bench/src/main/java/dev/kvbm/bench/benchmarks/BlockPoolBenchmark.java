package dev.kvbm.bench.benchmarks;

import dev.kvbm.api.Tier;
import dev.kvbm.core.pool.BlockPool;
import dev.kvbm.core.pool.ImmutableBlock;
import dev.kvbm.core.pool.MutableBlock;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
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
 * Block manager costs on a full pool (every block registered and inactive, in chains of 16), at
 * several pool sizes: the cost must stay flat as the pool grows. The reference is a plain
 * {@link HashMap} doing the same amount of bookkeeping (one removal and one insertion per operation)
 * at the same size, measured in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BlockPoolBenchmark {
    private static final int CHAIN = 16;

    @Param({"1000", "100000", "1000000"})
    public int poolSize;

    private BlockPool pool;
    private long nextHash;
    private long[] prefix;
    private HashMap<Long, Integer> reference;
    private ArrayDeque<Long> referenceOrder;

    @Setup(Level.Trial)
    public void setUp() {
        pool = new BlockPool("bench", Tier.G1, poolSize);
        for (int start = 0; start + CHAIN <= poolSize; start += CHAIN) {
            List<MutableBlock> blocks = pool.allocate(CHAIN);
            for (int i = 0; i < CHAIN; i++) {
                long h = start + i;
                blocks.get(i).complete(h, i == 0 ? OptionalLong.empty() : OptionalLong.of(h - 1));
            }
            pool.register(blocks).forEach(ImmutableBlock::close);
        }
        nextHash = 1L << 40;
        prefix = new long[] {0, 1, 2, 3};
        reference = new HashMap<>();
        referenceOrder = new ArrayDeque<>();
        for (long i = 0; i < poolSize; i++) {
            reference.put(i, (int) i);
            referenceOrder.add(i);
        }
    }

    /** Allocate one block (evicting the least recently used leaf), register it, release it. */
    @Benchmark
    public long allocateRegisterRelease() {
        MutableBlock m = pool.allocate(1).getFirst();
        long h = nextHash++;
        m.complete(h, OptionalLong.empty());
        ImmutableBlock b = pool.register(List.of(m)).getFirst();
        b.close();
        return h;
    }

    /** Match a 4-block registered prefix and release it. */
    @Benchmark
    public int matchPrefix() {
        List<ImmutableBlock> found = pool.matchSequenceHashes(prefix);
        found.forEach(ImmutableBlock::close);
        return found.size();
    }

    /** The reference: drop the oldest key of a map of the same size and insert a new one. */
    @Benchmark
    public int hashMapReference() {
        Long oldest = referenceOrder.poll();
        reference.remove(oldest);
        long h = nextHash++;
        reference.put(h, (int) h);
        referenceOrder.add(h);
        return reference.size();
    }
}
