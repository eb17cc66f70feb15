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
 * Block manager costs on a full pool (every block registered and inactive, in chains of 16), at several pool
 * sizes: the cost must stay flat as the pool grows. The reference is plain {@link HashMap}s doing the same
 * bookkeeping at the same size: drop the least recently used hash (from the registry and from its parent's child
 * count) and register a new one, with an LRU queue; timed in the same invocations ({@link Interleaved}):
 * {@value #OPS} pool operations, then {@value #OPS} reference operations, the order swapped every invocation.
 * Hashes are spread like real sequence hashes (XXH3 values), for the pool and the reference alike: consecutive
 * {@code Long} keys would give the HashMap a memory locality no real workload has.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BlockPoolBenchmark {
    private static final int CHAIN = 16;
    /** Blocks per call in the batched row: a request's worth, as KvBlockManager calls the pool. */
    static final int BATCH = 16;
    /** Operations per timed half: long enough that the clock's own cost is negligible. */
    static final int OPS = 64;

    @Param({"1000", "100000", "1000000"})
    public int poolSize;

    private BlockPool pool;
    private long nextHash;
    private long nextReferenceHash;
    private long[] prefix;
    private HashMap<Long, Integer> reference;
    private HashMap<Long, Long> referenceParent;
    private HashMap<Long, Integer> referenceChildren;
    private ArrayDeque<Long> referenceOrder;
    private long sink;

    @Setup(Level.Trial)
    public void setUp() {
        pool = new BlockPool("bench", Tier.G1, poolSize);
        for (int start = 0; start + CHAIN <= poolSize; start += CHAIN) {
            List<MutableBlock> blocks = pool.allocate(CHAIN);
            for (int i = 0; i < CHAIN; i++) {
                long h = spread(start + i);
                blocks.get(i).complete(h, i == 0 ? OptionalLong.empty() : OptionalLong.of(spread(start + i - 1)));
            }
            pool.register(blocks).forEach(ImmutableBlock::close);
        }
        nextHash = 1L << 40;
        nextReferenceHash = 1L << 40;
        prefix = new long[] {spread(0), spread(1), spread(2), spread(3)};
        reference = new HashMap<>();
        referenceParent = new HashMap<>();
        referenceChildren = new HashMap<>();
        referenceOrder = new ArrayDeque<>();
        for (int start = 0; start + CHAIN <= poolSize; start += CHAIN) {
            for (int i = 0; i < CHAIN; i++) {
                long h = spread(start + i);
                reference.put(h, start + i);
                if (i > 0) {
                    referenceParent.put(h, spread(start + i - 1));
                    referenceChildren.merge(spread(start + i - 1), 1, Integer::sum);
                }
                referenceOrder.add(h);
            }
        }
    }

    /** Stafford's mix13 of a counter: distinct, and spread over 64 bits like a sequence hash. */
    static long spread(long k) {
        long z = (k ^ (k >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Allocate one block (evicting the least recently used leaf), register it, release it. */
    @Benchmark
    public long allocateRegisterRelease(Interleaved timing) {
        timing.time(this::allocateRegisterRelease, this::hashMapReference, OPS);
        return sink;
    }

    /**
     * As a request meets the pool: {@value #BATCH} chained blocks allocated in one call (evicting as many, leaf
     * first), registered in one call, released one by one; per block, against the reference doing the same
     * bookkeeping for chains (each new block's parent link and its parent's child count). An extra figure: the
     * one-block row above is unchanged.
     */
    @Benchmark
    public long allocateRegisterReleaseX16(Interleaved timing) {
        timing.time(this::allocateRegisterReleaseBatches, this::hashMapChainReference, OPS);
        return sink;
    }

    /** Match a 4-block registered prefix and release it. */
    @Benchmark
    public long matchPrefix(Interleaved timing) {
        timing.time(this::matchPrefix, this::hashMapReference, OPS);
        return sink;
    }

    private long allocateRegisterRelease() {
        long t0 = System.nanoTime();
        for (int op = 0; op < OPS; op++) {
            MutableBlock m = pool.allocate(1).getFirst();
            long h = spread(nextHash++);
            m.complete(h, OptionalLong.empty());
            ImmutableBlock b = pool.register(List.of(m)).getFirst();
            b.close();
            sink += b.blockId();
        }
        return System.nanoTime() - t0;
    }

    private long allocateRegisterReleaseBatches() {
        long t0 = System.nanoTime();
        for (int request = 0; request < OPS / BATCH; request++) {
            List<MutableBlock> blocks = pool.allocate(BATCH);
            long parent = 0;
            for (int i = 0; i < BATCH; i++) {
                long h = spread(nextHash++);
                blocks.get(i).complete(h, i == 0 ? OptionalLong.empty() : OptionalLong.of(parent));
                parent = h;
            }
            List<ImmutableBlock> registered = pool.register(blocks);
            for (int i = 0; i < BATCH; i++) {
                ImmutableBlock b = registered.get(i);
                b.close();
                sink += b.blockId();
            }
        }
        return System.nanoTime() - t0;
    }

    private long matchPrefix() {
        long t0 = System.nanoTime();
        for (int op = 0; op < OPS; op++) {
            List<ImmutableBlock> found = pool.matchSequenceHashes(prefix);
            found.forEach(ImmutableBlock::close);
            sink += found.size();
        }
        return System.nanoTime() - t0;
    }

    /** The reference: drop the least recently used hash (and its parent's child count), register a new one. */
    private long hashMapReference() {
        long t0 = System.nanoTime();
        for (int op = 0; op < OPS; op++) {
            Integer id = referenceDropOldest();
            long h = spread(nextReferenceHash++);
            reference.put(h, id);
            referenceOrder.add(h);
            sink += id;
        }
        return System.nanoTime() - t0;
    }

    /** The reference for chains of {@value #BATCH}: as {@link #hashMapReference}, and each new block's parent link. */
    private long hashMapChainReference() {
        long t0 = System.nanoTime();
        long parent = 0;
        for (int op = 0; op < OPS; op++) {
            Integer id = referenceDropOldest();
            long h = spread(nextReferenceHash++);
            reference.put(h, id);
            if (op % BATCH != 0) {
                referenceParent.put(h, parent);
                referenceChildren.merge(parent, 1, Integer::sum);
            }
            parent = h;
            referenceOrder.add(h);
            sink += id;
        }
        return System.nanoTime() - t0;
    }

    /** The references' eviction: drop the least recently used hash and its parent's child count; its id is free. */
    private Integer referenceDropOldest() {
        Long oldest = referenceOrder.poll();
        Integer id = reference.remove(oldest);
        Long parent = referenceParent.remove(oldest);
        if (parent != null && referenceChildren.merge(parent, -1, Integer::sum) == 0) {
            referenceChildren.remove(parent);
        }
        return id;
    }
}
