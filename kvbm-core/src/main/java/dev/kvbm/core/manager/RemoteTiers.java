package dev.kvbm.core.manager;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreConfig;
import dev.kvbm.api.spi.RemoteTierProvider;
import dev.kvbm.core.integrity.BlockBytes;
import dev.kvbm.core.internal.integrity.BlockChecksums;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.remote.RemoteTier;
import dev.kvbm.core.remote.RemoteTierConfig;
import java.util.List;
import java.util.function.BiFunction;

/** Assembles G4 for a manager: opens the store and picks the local tiers it offloads from and lands in. */
final class RemoteTiers {
    private RemoteTiers() {
    }

    static RemoteTier build(RemoteTierConfig config, RemoteBlockStore given, ProviderRegistry registry,
                            LayoutConfig geometry, List<TierRuntime> ordered, TierHealth health, BlockChecksums checksums,
                            BiFunction<Tier, Tier, PathStats> stats, boolean logical) {
        if (logical) {
            throw new KvbmException(ErrorCode.INVALID_CONFIG, "G4 needs the tiers' bytes in this process; a logical "
                    + "(leader) manager's bytes are on its workers, which attach G4 themselves");
        }
        // Hits land in G2 when there is one, else in G1; offloads leave from the lowest tier the CPU can read.
        TierRuntime landing = ordered.stream().filter(t -> t.tier() == Tier.G2).findFirst().orElse(ordered.getFirst());
        TierRuntime source = null;
        for (TierRuntime t : ordered) {
            if (BlockBytes.hostAddressable(t.physical())) {
                source = t;
            }
        }
        if (source == null) {
            throw new KvbmException(ErrorCode.INVALID_CONFIG, "G4 moves blocks through host memory, but no tier here "
                    + "is host-addressable; give the manager a G2");
        }
        RemoteTier.LocalSide landingSide = new RemoteTier.LocalSide(landing.tier(), landing.pool(), landing.physical());
        RemoteTier.LocalSide sourceSide = new RemoteTier.LocalSide(source.tier(), source.pool(), source.physical());
        BlockNamespace namespace = BlockNamespace.of(config.prefix(), config.modelIdentity(), geometry, config.rank());
        RemoteBlockStore store = given;
        if (store == null) {
            RemoteTierProvider provider = registry.remoteTier(config.uri());
            store = provider.open(new RemoteStoreConfig(config.uri(), namespace, config.timeout(), config.options()));
        } else if (store.namespace().fingerprint() != namespace.fingerprint()
                || store.namespace().blockBytes() != namespace.blockBytes()) {
            throw new KvbmException(ErrorCode.INVALID_CONFIG, "the G4 store's namespace " + store.namespace()
                    + " does not match this manager's model identity and geometry " + namespace);
        }
        try {
            return new RemoteTier(store, sourceSide, landingSide, health, stats.apply(source.tier(), Tier.G4),
                    stats.apply(Tier.G4, landing.tier()), checksums, config);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }
}
