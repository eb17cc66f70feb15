package dev.kvbm.core.transfer;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Moves blocks between tiers for the block manager. In one process that owns every tier's bytes this
 * is {@link LocalBlockMover} (transfer engines over physical layouts); a distributed leader, whose
 * tiers are logical, implements it by asking every worker to copy and completing when all succeeded.
 */
public interface BlockMover extends AutoCloseable {

    /**
     * Copies each pair's source block of {@code source} into its target block of {@code target}. The
     * future fails (with {@code TRANSFER_FAILED}) when any byte may not have arrived; the caller then
     * must not register the targets.
     */
    CompletableFuture<Void> move(Tier source, Tier target, List<BlockPair> pairs);

    /** The tier's bytes when this process holds them; empty for a tier whose bytes live elsewhere. */
    Optional<PhysicalLayout> layout(Tier tier);

    /**
     * G4 moved by whoever holds the bytes, for a manager whose tiers are logical: a distributed leader's workers
     * each write and read their shard of {@code source}'s and {@code landing}'s blocks in the store named by
     * {@code config}. Empty (the default) when this mover cannot.
     */
    default Optional<dev.kvbm.core.remote.RemoteBlockIo> remote(dev.kvbm.core.remote.RemoteTierConfig config,
                                                                 Tier source, Tier landing) {
        return Optional.empty();
    }

    /** Fails now, naming what is missing, when {@code source -> target} cannot be served. */
    void checkPath(Tier source, Tier target);

    /**
     * The transfer engine that serves {@code source -> target}, for reports ({@code memcpy}, {@code io_uring}, ...);
     * empty when no path was set up or the bytes move elsewhere (a leader's workers pick their own).
     */
    default Optional<String> engineName(Tier source, Tier target) {
        return Optional.empty();
    }

    @Override
    void close();
}
