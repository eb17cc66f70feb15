package dev.kvbm.bench.benchmarks;

import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockCopies;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.core.providers.ProviderRegistry;
import java.util.ArrayList;
import java.util.List;
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
 * What every engine does on the caller's thread before a byte moves: validate a transfer of {@code batch} blocks and
 * plan its copies ({@link BlockCopies#prepare}), for {@code layouts} (source-target: {@code ls} is LayerSeparate
 * block-contiguous, {@code page-first} HiCache's page-first) next to fc-fc planning of the same batch in the same run,
 * the reference the planning of any layout should match (walking the copies belongs to the copy itself, which the
 * host-copy benchmark measures). The geometry is the host-copy benchmark's: 4 layers x 2 outer x 16 tokens.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PlanningBenchmark {

    @Param({"ls-fc", "page-first-fc"})
    public String layouts;

    @Param({"16"})
    public int batch;

    private final List<AutoCloseable> owned = new ArrayList<>();
    private PhysicalLayout source;
    private PhysicalLayout target;
    private PhysicalLayout fcSource;
    private PhysicalLayout fcTarget;
    private List<BlockPair> pairs;

    @Setup(Level.Trial)
    public void setUp() {
        TierProvider tier = ProviderRegistry.load().bestTier(Tier.G2).orElseThrow();
        // 64 KiB blocks: 4 layers x 2 outer x 16 tokens x 512 x 2 bytes; the byte count does not change planning.
        LayoutConfig geometry = new LayoutConfig(batch, 4, 2, 16, 512, 1, 2, 4);
        int cut = layouts.lastIndexOf('-');
        source = BenchLayouts.allocate(tier, geometry, BenchLayouts.type(layouts.substring(0, cut)), owned);
        target = BenchLayouts.allocate(tier, geometry, BenchLayouts.type(layouts.substring(cut + 1)), owned);
        fcSource = BenchLayouts.allocate(tier, geometry, LayoutType.FULLY_CONTIGUOUS, owned);
        fcTarget = BenchLayouts.allocate(tier, geometry, LayoutType.FULLY_CONTIGUOUS, owned);
        pairs = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            pairs.add(new BlockPair(i, batch - 1 - i));
        }
    }

    @Benchmark
    public BlockCopies.Plan plan() {
        return BlockCopies.prepare(source, target, pairs);
    }

    @Benchmark
    public BlockCopies.Plan planFcFc() {
        return BlockCopies.prepare(fcSource, fcTarget, pairs);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }
}
