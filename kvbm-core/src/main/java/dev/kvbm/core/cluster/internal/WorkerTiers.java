package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.transfer.LocalBlockMover;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The tiers a worker holds and the mover over them. Readers (transfers, check functions) hold the read lock;
 * replacing G2/G3 after new leader metadata takes the write lock, so no copy ever runs on freed memory.
 */
public final class WorkerTiers implements AutoCloseable {
    private final ProviderRegistry registry;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Tier, HeldTier> tiers = new EnumMap<>(Tier.class);
    private LocalBlockMover mover;
    private boolean closed;

    public WorkerTiers(HeldTier g1, ProviderRegistry registry) {
        this.registry = registry;
        tiers.put(Tier.G1, g1);
        mover = new LocalBlockMover(layouts(), registry);
    }

    /** Runs {@code action} under the read lock with the current tiers. */
    public <T> T read(Function<View, T> action) {
        lock.readLock().lock();
        try {
            return action.apply(new View());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** What a reader sees. */
    public final class View {
        public HeldTier get(Tier tier) {
            return tiers.get(tier);
        }

        public LocalBlockMover mover() {
            return mover;
        }
    }

    /** Replaces every tier but G1 with {@code fresh}; false (and {@code fresh} closed) once closed. */
    public boolean replaceLower(List<HeldTier> fresh) {
        lock.writeLock().lock();
        try {
            if (closed) {
                fresh.forEach(HeldTier::close);
                return false;
            }
            HeldTier g1 = tiers.get(Tier.G1);
            tiers.values().stream().filter(a -> a.tier() != Tier.G1).forEach(HeldTier::close);
            tiers.clear();
            tiers.put(Tier.G1, g1);
            fresh.forEach(a -> tiers.put(a.tier(), a));
            mover.close();
            mover = new LocalBlockMover(layouts(), registry);
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Whether a replicated follower's rank 0 is gone (its G2 or G3). */
    public boolean ownerGone() {
        return read(v -> tiers.values().stream().anyMatch(HeldTier::ownerGone));
    }

    public Set<Tier> held() {
        return read(v -> Set.copyOf(tiers.keySet()));
    }

    private Map<Tier, PhysicalLayout> layouts() {
        Map<Tier, PhysicalLayout> m = new EnumMap<>(Tier.class);
        tiers.forEach((t, a) -> m.put(t, a.layout()));
        return m;
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            mover.close();
            tiers.values().forEach(HeldTier::close);
            tiers.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
