package dev.kvbm.bench.benchmarks;

import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import java.util.ArrayList;
import java.util.List;

/** Host layouts for the benchmarks: G2 memory from a tier provider, the names the benchmarks' parameters use. */
final class BenchLayouts {

    private BenchLayouts() {
    }

    /** {@code fc}, {@code ls} (LayerSeparate block-contiguous) or a HiCache layout without its prefix. */
    static LayoutType type(String name) {
        return switch (name) {
            case "fc" -> LayoutType.FULLY_CONTIGUOUS;
            case "ls" -> LayoutType.LAYER_SEPARATE_BLOCK;
            default -> LayoutType.builtIns().stream().filter(t -> t.shortName().equals("hicache-" + name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("layouts: unknown side '" + name + "'"));
        };
    }

    /** A layout over G2 memory of {@code provider}; its allocator goes to {@code owned}, to be closed after the run. */
    static PhysicalLayout allocate(TierProvider provider, LayoutConfig config, LayoutType type, List<AutoCloseable> owned) {
        StorageAllocator allocator = provider.createAllocator(new TierConfig(Tier.G2, config, type));
        owned.add(allocator);
        BlockLayout layout = BlockLayout.of(config, type);
        List<Storage> storages = new ArrayList<>();
        for (int i = 0; i < layout.numStorageRegions(); i++) {
            storages.add(allocator.allocate(layout.requiredAllocationSize(), 4096));
        }
        return new PhysicalLayout(layout, storages);
    }
}
