package dev.kvbm.bench.benchmarks;

import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.tier.host.HostCopyProbe;
import dev.kvbm.tier.host.LibcMemcpy;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * Host G1 &lt;-&gt; G2 copies through the best available host engine, between two pinned tiers, against the
 * physical reference timed in the same invocations ({@link Interleaved}): libc {@code memcpy} of as many bytes,
 * block by block. Both sides hold {@code spanMiB} (1 GiB by default), and every operation copies the next
 * {@code batch} blocks, so neither the engine nor the reference copies from the CPU caches (an offload does not).
 * The reference copies other blocks of the same memory than the engine at the same time; when the engine splits a
 * batch across threads, the reference splits its copies across as many (thread-matched).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HostCopyBenchmark {

    @Param({"64", "256", "2048", "8192"})
    public int blockKiB;

    @Param({"1", "16", "64"})
    public int batch;

    /** Source and target layout: fc-fc, ls-fc (LayerSeparate block-contiguous to FullyContiguous), ls-ls. */
    @Param({"fc-fc", "ls-fc", "ls-ls"})
    public String layouts;

    /** Bytes each side rotates through, in MiB (the smoke run uses less). */
    @Param({"1024"})
    public int spanMiB;

    private static final int LAYERS = 4;

    private final List<AutoCloseable> owned = new ArrayList<>();
    private PhysicalLayout source;
    private PhysicalLayout target;
    private TransferEngine engine;
    private List<List<BlockPair>> windows;
    private int window;
    private long blockBytes;
    private int blocks;
    private MemorySegment[] referenceSources;
    private MemorySegment[] referenceTargets;
    private int threads;
    private ExecutorService helpers;

    @Setup(Level.Trial)
    public void setUp() {
        blockBytes = blockKiB * 1024L;
        // A whole number of batches, and of blocks per layer region: reference chunks never straddle regions.
        long span = spanMiB * (1L << 20);
        int unit = LAYERS * batch;
        blocks = (int) Math.max(unit, (span / blockBytes + unit - 1) / unit * unit);
        // 4 layers x 2 outer x 16 tokens x inner x 2 bytes = blockBytes.
        LayoutConfig geometry = new LayoutConfig(blocks, LAYERS, 2, 16, (int) (blockBytes / (LAYERS * 2 * 16 * 2)), 1, 2);
        ProviderRegistry registry = ProviderRegistry.load();
        TierProvider tier = registry.bestTier(Tier.G2).orElseThrow();
        String[] kinds = layouts.split("-");
        source = BenchLayouts.allocate(tier, geometry, BenchLayouts.type(kinds[0]), owned);
        target = BenchLayouts.allocate(tier, geometry, BenchLayouts.type(kinds[1]), owned);
        engine = registry.bestEngine(source.kind(), target.kind()).orElseThrow().create(Map.of());
        owned.add(engine);
        windows = new ArrayList<>();
        for (int base = 0; base < blocks; base += batch) {
            List<BlockPair> pairs = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                pairs.add(new BlockPair(base + i, base + batch - 1 - i)); // reversed: scattered within the window
            }
            windows.add(pairs);
        }
        referenceSources = segments(source);
        referenceTargets = segments(target);
        threads = HostCopyProbe.engineThreads(batch * blockBytes);
        if (threads > 1) {
            helpers = Executors.newFixedThreadPool(threads - 1, r -> Thread.ofPlatform().daemon()
                    .name("bench-memcpy-reference").unstarted(r));
        }
        for (int w = 0; w < windows.size(); w++) { // touch every page of both sides before timing
            engine.transfer(source, target, windows.get(w)).join();
            referenceWindow(w);
        }
    }

    private static MemorySegment[] segments(PhysicalLayout layout) {
        MemorySegment[] s = new MemorySegment[layout.storages().size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = ((HostMemoryStorage) layout.storage(i)).segment();
        }
        return s;
    }

    /** The engine copies one window while the reference copies the one half the span away: both stay cold. */
    @Benchmark
    public void copy(Interleaved timing) {
        int w = window;
        window = (w + 1) % windows.size();
        int r = (w + windows.size() / 2) % windows.size();
        timing.time(() -> engine(w), () -> reference(r), batch * (double) blockBytes);
    }

    private long engine(int w) {
        long t0 = System.nanoTime();
        engine.transfer(source, target, windows.get(w)).join();
        return System.nanoTime() - t0;
    }

    private long reference(int w) {
        long t0 = System.nanoTime();
        referenceWindow(w);
        return System.nanoTime() - t0;
    }

    /** libc memcpy of window {@code w}'s blocks, block by block, on as many threads as the engine uses. */
    private void referenceWindow(int w) {
        int base = w * batch;
        if (threads == 1) {
            copyBlocks(base, 0, batch);
            return;
        }
        List<CompletableFuture<Void>> others = new ArrayList<>(threads - 1);
        for (int p = 1; p < threads; p++) {
            int from = batch * p / threads;
            int to = batch * (p + 1) / threads;
            others.add(CompletableFuture.runAsync(() -> copyBlocks(base, from, to), helpers));
        }
        copyBlocks(base, 0, batch / threads);
        others.forEach(CompletableFuture::join);
    }

    private void copyBlocks(int base, int from, int to) {
        for (int i = from; i < to; i++) {
            int src = base + i;
            int dst = base + batch - 1 - i;
            LibcMemcpy.copy(chunkSegment(referenceSources, src), chunkOffset(referenceSources, src),
                    chunkSegment(referenceTargets, dst), chunkOffset(referenceTargets, dst), blockBytes);
        }
    }

    /** Block-sized chunk {@code k} of a side's regions taken one after another (regions hold whole chunks). */
    private MemorySegment chunkSegment(MemorySegment[] regions, int k) {
        return regions[k / (blocks / regions.length)];
    }

    private long chunkOffset(MemorySegment[] regions, int k) {
        return (long) (k % (blocks / regions.length)) * blockBytes;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (helpers != null) {
            helpers.shutdownNow();
        }
        source.close();
        target.close();
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }

    /** For readers of the results: the storage kind both sides use. */
    public static StorageKind kind() {
        return StorageKind.PINNED;
    }
}
