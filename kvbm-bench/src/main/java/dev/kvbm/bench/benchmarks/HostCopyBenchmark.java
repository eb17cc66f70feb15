package dev.kvbm.bench.benchmarks;

import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.tier.host.LibcMemcpy;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Host G1 &lt;-&gt; G2 copies through the best available host engine, between two pinned tiers, and the
 * physical reference measured in the same run: libc {@code memcpy} of the same bytes, block by block,
 * between two contiguous buffers. One operation copies {@code batch} blocks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HostCopyBenchmark {

    @Param({"64", "256", "2048", "8192"})
    public int blockKiB;

    @Param({"1", "16", "64"})
    public int batch;

    /** Source and target layout: fc-fc, ls-fc (LayerSeparate block-contiguous to FullyContiguous), ls-ls. */
    @Param({"fc-fc", "ls-fc", "ls-ls"})
    public String layouts;

    private final List<AutoCloseable> owned = new ArrayList<>();
    private PhysicalLayout source;
    private PhysicalLayout target;
    private TransferEngine engine;
    private List<BlockPair> pairs;
    private MemorySegment referenceSource;
    private MemorySegment referenceTarget;
    private long blockBytes;

    @Setup(Level.Trial)
    public void setUp() {
        blockBytes = blockKiB * 1024L;
        // 4 layers x 2 outer x 16 tokens x inner x 2 bytes = blockBytes.
        LayoutConfig geometry = new LayoutConfig(batch, 4, 2, 16, (int) (blockBytes / (4 * 2 * 16 * 2)), 1, 2);
        ProviderRegistry registry = ProviderRegistry.load();
        TierProvider tier = registry.bestTier(Tier.G2).orElseThrow();
        String[] kinds = layouts.split("-");
        source = allocate(tier, geometry, type(kinds[0]));
        target = allocate(tier, geometry, type(kinds[1]));
        engine = registry.bestEngine(source.kind(), target.kind()).orElseThrow().create(Map.of());
        owned.add(engine);
        pairs = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            pairs.add(new BlockPair(i, batch - 1 - i));
        }
        Arena arena = Arena.ofShared();
        owned.add(arena);
        referenceSource = arena.allocate(blockBytes * batch, 4096);
        referenceTarget = arena.allocate(blockBytes * batch, 4096);
        referenceSource.fill((byte) 7);
        referenceTarget.fill((byte) 0);
        engine.transfer(source, target, pairs).join(); // touch every page before timing
    }

    private static LayoutType type(String name) {
        return name.equals("fc") ? LayoutType.FULLY_CONTIGUOUS : LayoutType.LAYER_SEPARATE_BLOCK;
    }

    private PhysicalLayout allocate(TierProvider provider, LayoutConfig config, LayoutType type) {
        StorageAllocator allocator = provider.createAllocator(new TierConfig(Tier.G2, config, type));
        owned.add(allocator);
        BlockLayout layout = BlockLayout.of(config, type);
        List<Storage> storages = new ArrayList<>();
        for (int i = 0; i < layout.numStorageRegions(); i++) {
            storages.add(allocator.allocate(layout.requiredAllocationSize(), 4096));
        }
        return new PhysicalLayout(layout, storages);
    }

    @Benchmark
    public void engine() {
        engine.transfer(source, target, pairs).join();
    }

    @Benchmark
    public void memcpy() {
        for (int i = 0; i < batch; i++) {
            LibcMemcpy.copy(referenceSource, i * blockBytes, referenceTarget, (batch - 1 - i) * blockBytes, blockBytes);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
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
