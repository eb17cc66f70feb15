package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreConfig;
import dev.kvbm.core.cluster.WorkerSpec;
import dev.kvbm.core.integrity.BlockBytes;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.remote.RemoteTierConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A worker's G4: its own store, keyed by its shard ({@link RemoteTierConfig#rank()} and its geometry), written
 * from and read into the tiers it holds when the leader asks ({@link RemoteFrames}). Store failures are answers,
 * never exceptions; they mark G4 degraded in this worker's health (for its metrics), the leader decides the rest.
 * A replicated follower leaves G2/G3 to rank 0, which writes and reads the one copy.
 */
public final class WorkerRemote implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WorkerRemote.class.getName());

    private final RemoteBlockStore store;
    private final WorkerSpec spec;
    private final WorkerTiers tiers;
    private final Map<String, PathStats> paths;
    private final TierHealth health;
    private final Duration timeout;

    public WorkerRemote(RemoteTierConfig config, WorkerSpec spec, ProviderRegistry registry, WorkerTiers tiers,
                        Map<String, PathStats> paths, TierHealth health) {
        BlockNamespace namespace = BlockNamespace.of(config.prefix(), config.modelIdentity(), spec.g1(), config.rank());
        this.store = registry.remoteTier(config.uri()).open(new RemoteStoreConfig(config.uri(), namespace,
                config.timeout(), config.options()));
        this.spec = spec;
        this.tiers = tiers;
        this.paths = paths;
        this.health = health;
        this.timeout = config.timeout().multipliedBy(2);
    }

    public String describe() {
        return store.describe();
    }

    /** The answer to one of {@link RemoteFrames}' functions. */
    public RemoteFrames.Answer handle(String function, RemoteFrames.Blocks request) {
        try {
            return switch (function) {
                case RemoteFrames.CONTAINS -> answer(store.contains(request.hashes()).get(timeout.toNanos(),
                        TimeUnit.NANOSECONDS), 0);
                case RemoteFrames.PUT -> move(request, true);
                case RemoteFrames.GET -> move(request, false);
                default -> RemoteFrames.Answer.failure("unknown G4 function " + function);
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RemoteFrames.Answer.failure("worker shutting down");
        } catch (Exception e) {
            health.failure(Tier.G4);
            return RemoteFrames.Answer.failure(rootMessage(e));
        }
    }

    private RemoteFrames.Answer answer(boolean[] results, long checksumFailures) {
        health.success(Tier.G4);
        return new RemoteFrames.Answer(results, checksumFailures, null);
    }

    /** Writes ({@code put}) or reads the request's blocks of its tier, all pipelined, under the tiers' read lock. */
    private RemoteFrames.Answer move(RemoteFrames.Blocks request, boolean put) {
        Tier tier = request.tier();
        if (tier == null || tier == Tier.G4) {
            return RemoteFrames.Answer.failure("a G4 transfer names a local tier (got " + tier + ")");
        }
        int n = request.hashes().length;
        if (spec.replicatedFollower() && tier != Tier.G1) {
            boolean[] done = new boolean[n];
            java.util.Arrays.fill(done, !put); // rank 0 moves the one copy of G2/G3; a read is a hit there
            return new RemoteFrames.Answer(done, 0, null);
        }
        PathStats path = paths.get(put ? tier + "->G4" : "G4->" + tier);
        return tiers.read(v -> {
            HeldTier held = v.get(tier);
            if (held == null) {
                return RemoteFrames.Answer.failure(tier + " is not allocated on this worker");
            }
            if (!BlockBytes.hostAddressable(held.layout())) {
                return RemoteFrames.Answer.failure(tier + " on this worker is not host memory: G4 moves blocks through "
                        + "host memory");
            }
            int capacity = held.layout().layout().config().numBlocks();
            for (int b : request.blocks()) {
                if (b < 0 || b >= capacity) {
                    return RemoteFrames.Answer.failure("block " + b + " is out of range 0.." + (capacity - 1) + " of " + tier);
                }
            }
            long failuresBefore = store.stats().checksumFailures();
            long start = path.begin();
            List<CompletableFuture<Boolean>> ops = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                var segments = BlockBytes.segments(held.layout(), request.blocks()[i]);
                ops.add(put ? store.putIfAbsent(request.hashes()[i], segments) : store.get(request.hashes()[i], segments));
            }
            boolean[] results = new boolean[n];
            String error = null;
            long deadline = System.nanoTime() + timeout.toNanos();
            // Every operation is awaited, even after a failure: the memory it uses must not be reused meanwhile.
            for (int i = 0; i < n; i++) {
                try {
                    results[i] = ops.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    error = "worker shutting down";
                } catch (Exception e) {
                    error = error != null ? error : rootMessage(e);
                }
            }
            int moved = 0;
            for (boolean r : results) {
                moved += r ? 1 : 0;
            }
            path.end(start, moved, moved * spec.g1().blockDataBytes(), error == null);
            if (error != null) {
                health.failure(Tier.G4);
                LOG.log(System.Logger.Level.WARNING, "G4 " + (put ? "write" : "read") + " on " + store.describe()
                        + " failed: " + error);
                return RemoteFrames.Answer.failure(error);
            }
            return answer(results, store.stats().checksumFailures() - failuresBefore);
        });
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.ExecutionException || t instanceof java.util.concurrent.CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    @Override
    public void close() {
        store.close();
    }
}
