package dev.kvbm.core.remote;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteStoreConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a manager uses a G4 tier.
 *
 * @param uri            the store ({@code redis://HOST:PORT}, {@code rediss://...}, {@code redis-cluster://H1:P1,H2:P2})
 * @param modelIdentity  what makes KV values compatible beyond the geometry: model name and revision, cache salt,
 *                       LoRA; managers share blocks only when it is equal (it goes into the key's fingerprint)
 * @param prefix         first part of every key
 * @param rank           this worker's rank (its shard of each block)
 * @param timeout        the longest one store operation may take
 * @param laneCapacity   blocks queued for offload to G4 at most; more are skipped and counted, unless
 * @param waitWhenFull   the offload waits for room instead (a deterministic replay: every block reaches G4)
 * @param options        provider options (e.g. {@code redis.connections})
 */
public record RemoteTierConfig(URI uri, String modelIdentity, String prefix, int rank, Duration timeout,
                               int laneCapacity, boolean waitWhenFull, Map<String, String> options) {
    public static final int DEFAULT_LANE_CAPACITY = 4096;

    public RemoteTierConfig {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(modelIdentity, "modelIdentity");
        if (laneCapacity < 1 || laneCapacity > 1 << 20) {
            throw KvbmException.invalid("g4LaneCapacity", laneCapacity, "in 1.." + (1 << 20));
        }
        options = Map.copyOf(options == null ? Map.of() : options);
    }

    /** Defaults: prefix {@code kvbm}, rank 0, a 2 s timeout, 4096 queued blocks, skip when full. */
    public static RemoteTierConfig of(URI uri, String modelIdentity) {
        return new RemoteTierConfig(uri, modelIdentity, BlockNamespace.DEFAULT_PREFIX, 0,
                RemoteStoreConfig.DEFAULT_TIMEOUT, DEFAULT_LANE_CAPACITY, false, Map.of());
    }

    public RemoteTierConfig withWaitWhenFull(boolean wait) {
        return new RemoteTierConfig(uri, modelIdentity, prefix, rank, timeout, laneCapacity, wait, options);
    }

    public RemoteTierConfig withRank(int newRank) {
        return new RemoteTierConfig(uri, modelIdentity, prefix, newRank, timeout, laneCapacity, waitWhenFull, options);
    }

    public RemoteTierConfig withTimeout(Duration newTimeout) {
        return new RemoteTierConfig(uri, modelIdentity, prefix, rank, newTimeout, laneCapacity, waitWhenFull, options);
    }

    public RemoteTierConfig withLaneCapacity(int capacity) {
        return new RemoteTierConfig(uri, modelIdentity, prefix, rank, timeout, capacity, waitWhenFull, options);
    }

    public RemoteTierConfig withOptions(Map<String, String> newOptions) {
        return new RemoteTierConfig(uri, modelIdentity, prefix, rank, timeout, laneCapacity, waitWhenFull, newOptions);
    }
}
