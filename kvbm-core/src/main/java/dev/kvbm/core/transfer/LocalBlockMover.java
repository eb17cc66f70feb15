package dev.kvbm.core.transfer;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import dev.kvbm.core.providers.ProviderRegistry;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Moves blocks between tiers this process holds, with the best available transfer engine for each
 * (source kind, target kind) path, created once per path.
 */
public final class LocalBlockMover implements BlockMover {
    private final Map<Tier, PhysicalLayout> layouts;
    private final ProviderRegistry registry;
    private final Map<String, TransferEngine> engines = new HashMap<>();
    private final Map<String, String> engineNames = new HashMap<>();

    public LocalBlockMover(Map<Tier, PhysicalLayout> layouts, ProviderRegistry registry) {
        this.layouts = new EnumMap<>(layouts);
        this.registry = registry;
    }

    @Override
    public CompletableFuture<Void> move(Tier source, Tier target, List<BlockPair> pairs) {
        try {
            PhysicalLayout from = require(source);
            PhysicalLayout to = require(target);
            return engine(from.kind(), to.kind(), source, target).transfer(from, to, pairs);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public Optional<PhysicalLayout> layout(Tier tier) {
        return Optional.ofNullable(layouts.get(tier));
    }

    @Override
    public void checkPath(Tier source, Tier target) {
        engine(require(source).kind(), require(target).kind(), source, target);
    }

    private PhysicalLayout require(Tier tier) {
        PhysicalLayout l = layouts.get(tier);
        if (l == null) {
            throw new KvbmException(ErrorCode.INVALID_ARGUMENT, tier + " is not configured");
        }
        return l;
    }

    private synchronized TransferEngine engine(StorageKind s, StorageKind t, Tier source, Tier target) {
        String key = s + "->" + t;
        TransferEngine existing = engines.get(key);
        if (existing != null) {
            return existing;
        }
        TransferEngineProvider provider = registry.bestEngine(s, t).orElseThrow(() ->
                new KvbmException(ErrorCode.PROVIDER_NOT_FOUND, "no available transfer engine copies " + key + " (for "
                        + source + " -> " + target + "); kvbm tiers lists the engines found"));
        TransferEngine engine = provider.create(Map.of());
        engines.put(key, engine);
        engineNames.put(key, provider.name());
        return engine;
    }

    @Override
    public synchronized Optional<String> engineName(Tier source, Tier target) {
        PhysicalLayout from = layouts.get(source);
        PhysicalLayout to = layouts.get(target);
        return from == null || to == null ? Optional.empty()
                : Optional.ofNullable(engineNames.get(from.kind() + "->" + to.kind()));
    }

    @Override
    public synchronized void close() {
        engines.values().forEach(TransferEngine::close);
        engines.clear();
        engineNames.clear();
    }
}
