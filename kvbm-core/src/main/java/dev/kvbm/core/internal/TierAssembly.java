package dev.kvbm.core.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.core.providers.ProviderRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Allocates one tier's bytes: picks its provider, creates the allocator and one storage per region of the
 * layout, and frees what it took when any step fails. The one place both the block manager and a cluster
 * worker assemble tiers.
 */
public final class TierAssembly {

    /**
     * One allocated tier.
     *
     * @param nanos how long allocating (and pinning) the storage took
     */
    public record Assembled(TierProvider provider, PhysicalLayout layout, StorageAllocator allocator, long nanos) {
        /** Frees the storage, then the allocator. */
        public void close() {
            layout.close();
            allocator.close();
        }
    }

    private TierAssembly() {
    }

    /** The provider named {@code named}, or, when null, the best available one for {@code tier}. */
    public static TierProvider provider(ProviderRegistry registry, Tier tier, String named) {
        return named != null ? registry.tier(named) : registry.bestTier(tier).orElseThrow(() ->
                new KvbmException(ErrorCode.PROVIDER_NOT_FOUND, "no available provider serves " + tier + " ("
                        + tier.role() + "); kvbm tiers lists what was found and why each is unavailable"));
    }

    /** Allocates {@code config.numBlocks()} blocks of {@code tier} on {@code provider} in layout {@code type}. */
    public static Assembled allocate(TierProvider provider, Tier tier, LayoutConfig config, LayoutType type,
                                     Map<String, String> options) {
        return allocate(provider, new TierConfig(tier, config, type, options));
    }

    /** Allocates the tier {@code tierConfig} describes on {@code provider} (with its host-memory registrar). */
    public static Assembled allocate(TierProvider provider, TierConfig tierConfig) {
        BlockLayout layout = BlockLayout.of(tierConfig.layout(), tierConfig.layoutType());
        long start = System.nanoTime();
        StorageAllocator allocator = provider.createAllocator(tierConfig);
        List<Storage> storages = new ArrayList<>();
        try {
            for (int i = 0; i < layout.numStorageRegions(); i++) {
                storages.add(allocator.allocate(layout.requiredAllocationSize(), 4096));
            }
            return new Assembled(provider, new PhysicalLayout(layout, storages), allocator, System.nanoTime() - start);
        } catch (RuntimeException e) {
            storages.forEach(Storage::close);
            allocator.close();
            throw e;
        }
    }
}
