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
import dev.kvbm.core.remote.RemoteBlockIo;
import dev.kvbm.core.remote.RemoteTier;
import dev.kvbm.core.transfer.BlockMover;
import dev.kvbm.core.remote.RemoteTierConfig;
import java.util.List;
import java.util.function.BiFunction;

/** Assembles G4 for a manager: opens the store and picks the local tiers it offloads from and lands in. */
final class RemoteTiers {
    private RemoteTiers() {
    }

    static RemoteTier build(RemoteTierConfig config, RemoteBlockStore given, ProviderRegistry registry,
                            LayoutConfig geometry, List<TierRuntime> ordered, TierHealth health, BlockChecksums checksums,
                            BiFunction<Tier, Tier, PathStats> stats, BlockMover logical) {
        // Hits land in G2 when there is one, else in G1; offloads leave from the lowest tier the CPU can read.
        TierRuntime landing = ordered.stream().filter(t -> t.tier() == Tier.G2).findFirst().orElse(ordered.getFirst());
        if (logical != null) {
            // The workers' G3 is on disk: as here, G4 offloads leave from the lowest host tier, G2 (or G1).
            return onWorkers(config, logical, landing, landing, geometry, health, checksums, stats);
        }
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

    /**
     * A distributed leader's G4: its tiers are logical, so its workers move the bytes of their shards (the
     * registrations of {@code source} go out, hits land in {@code landing}), each with its own store.
     */
    private static RemoteTier onWorkers(RemoteTierConfig config, BlockMover workers, TierRuntime source,
                                        TierRuntime landing, LayoutConfig geometry, TierHealth health,
                                        BlockChecksums checksums, BiFunction<Tier, Tier, PathStats> stats) {
        RemoteBlockIo io = workers.remote(config, source.tier(), landing.tier()).orElseThrow(() -> new KvbmException(
                ErrorCode.INVALID_CONFIG, "G4 needs the tiers' bytes, and this logical manager's mover cannot reach "
                + "them"));
        try {
            return new RemoteTier(io, new RemoteTier.LocalSide(source.tier(), source.pool(), null),
                    new RemoteTier.LocalSide(landing.tier(), landing.pool(), null), geometry.blockDataBytes(), health,
                    stats.apply(source.tier(), Tier.G4), stats.apply(Tier.G4, landing.tier()), checksums, config);
        } catch (RuntimeException e) {
            io.close();
            throw e;
        }
    }
}
