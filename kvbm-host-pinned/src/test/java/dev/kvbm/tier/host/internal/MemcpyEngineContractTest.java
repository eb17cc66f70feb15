package dev.kvbm.tier.host.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.tck.TransferEngineContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The TCK's engine contract for the memcpy engine: pageable host memory to and from pinned host memory. */
class MemcpyEngineContractTest extends TransferEngineContract {

    @Override
    protected TransferEngine createEngine() {
        return new MemcpyEngineProvider().create(Map.of());
    }

    @Override
    protected PhysicalLayout hostLayout(LayoutConfig config, LayoutType type) {
        return layout(new SystemHostTierProvider(), config, type);
    }

    @Override
    protected PhysicalLayout layoutUnderTest(LayoutConfig config, LayoutType type) {
        return layout(new PinnedHostTierProvider(), config, type);
    }

    private static PhysicalLayout layout(TierProvider provider, LayoutConfig config, LayoutType type) {
        StorageAllocator allocator = provider.createAllocator(new TierConfig(Tier.G2, config, type,
                Map.of("kvbm.host.mlock", "false")));
        BlockLayout layout = BlockLayout.of(config, type);
        List<Storage> storages = new ArrayList<>();
        for (int i = 0; i < layout.numStorageRegions(); i++) {
            storages.add(allocator.allocate(layout.requiredAllocationSize(), 4096));
        }
        return new PhysicalLayout(layout, storages);
    }
}
