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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Moves blocks between tiers this process holds, with the best available transfer engine for each
 * (source kind, target kind) path, created once per path.
 */
public final class LocalBlockMover implements BlockMover {
    private final Map<Tier, PhysicalLayout> layouts;
    private final ProviderRegistry registry;
    private static final int KINDS = StorageKind.values().length;
    /** The engine of each (source kind, target kind) at {@code source * KINDS + target}: made once, then read lock-free. */
    private final AtomicReferenceArray<TransferEngine> engines = new AtomicReferenceArray<>(KINDS * KINDS);
    /** The provider's name of each engine above, at the same index (for reports). */
    private final AtomicReferenceArray<String> engineNames = new AtomicReferenceArray<>(KINDS * KINDS);
    private boolean closed; // guarded by this

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

    /** The path's engine: a plain read once made (every copy asks, from the request and offload threads). */
    private TransferEngine engine(StorageKind s, StorageKind t, Tier source, Tier target) {
        TransferEngine existing = engines.get(s.ordinal() * KINDS + t.ordinal());
        return existing != null ? existing : create(s, t, source, target);
    }

    private synchronized TransferEngine create(StorageKind s, StorageKind t, Tier source, Tier target) {
        TransferEngine existing = engines.get(s.ordinal() * KINDS + t.ordinal());
        if (existing != null) {
            return existing;
        }
        if (closed) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the block mover is closed");
        }
        String key = s + "->" + t;
        TransferEngineProvider provider = registry.bestEngine(s, t).orElseThrow(() ->
                new KvbmException(ErrorCode.PROVIDER_NOT_FOUND, "no available transfer engine copies " + key + " (for "
                        + source + " -> " + target + "); kvbm tiers lists the engines found"));
        TransferEngine engine = provider.create(Map.of());
        engineNames.set(s.ordinal() * KINDS + t.ordinal(), provider.name());
        engines.set(s.ordinal() * KINDS + t.ordinal(), engine);
        return engine;
    }

    @Override
    public Optional<String> engineName(Tier source, Tier target) {
        PhysicalLayout from = layouts.get(source);
        PhysicalLayout to = layouts.get(target);
        return from == null || to == null ? Optional.empty()
                : Optional.ofNullable(engineNames.get(from.kind().ordinal() * KINDS + to.kind().ordinal()));
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (int i = 0; i < engines.length(); i++) {
            engineNames.set(i, null);
            TransferEngine e = engines.getAndSet(i, null);
            if (e != null) {
                e.close();
            }
        }
    }
}
