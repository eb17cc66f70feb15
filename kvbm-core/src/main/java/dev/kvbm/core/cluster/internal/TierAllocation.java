package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.LeaderMetadata;
import dev.kvbm.core.cluster.WorkerSpec;
import dev.kvbm.core.providers.ProviderRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A worker's G2/G3 for the leader's metadata, allocated in the background by one thread at a time and
 * always for the latest metadata: a rebroadcast of the same metadata allocates nothing, and a flood of
 * messages never piles up allocations. The worker is ready once the wanted metadata is the allocated one.
 */
public final class TierAllocation implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TierAllocation.class.getName());

    private final WorkerSpec spec;
    private final ProviderRegistry registry;
    private final WorkerTiers tiers;
    private final ReplicatedTiers replicated;
    private final AtomicLong allocations = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private LeaderMetadata allocatedFor;
    private LeaderMetadata wanted;
    private LeaderMetadata failedFor;
    private Thread allocator;
    private boolean closed;
    private volatile boolean ready;
    private volatile String error;

    public TierAllocation(WorkerSpec spec, ProviderRegistry registry, WorkerTiers tiers) {
        this.spec = spec;
        this.registry = registry;
        this.tiers = tiers;
        this.replicated = new ReplicatedTiers(spec);
    }

    /** The leader wants {@code meta}: starts allocating unless it is already held or being allocated. */
    public synchronized void want(LeaderMetadata meta) {
        if (spec.replicatedFollower() && meta.equals(allocatedFor) && tiers.ownerGone()) {
            // rank 0 restarted: its new G2 is another region and its G3 other files, which this rank must map afresh
            allocatedFor = null;
            wanted = null;
            ready = false;
        }
        if (closed || meta.equals(wanted)) {
            return; // single flight: a rebroadcast never allocates twice
        }
        wanted = meta;
        if (!meta.equals(allocatedFor)) {
            ready = false;
        }
        if (allocator == null) {
            allocator = Thread.ofVirtual().name("kvbm-worker-allocate").start(this::allocateLoop);
        }
    }

    private void allocateLoop() {
        while (true) {
            LeaderMetadata meta;
            synchronized (this) {
                if (closed || wanted == null || wanted.equals(allocatedFor)) {
                    allocator = null;
                    ready = !closed && wanted != null && wanted.equals(allocatedFor);
                    return;
                }
                meta = wanted;
            }
            allocate(meta);
            synchronized (this) {
                if (failedFor != null && failedFor.equals(wanted)) {
                    allocator = null; // stays unready until the leader sends other metadata
                    return;
                }
            }
        }
    }

    private synchronized boolean stillWanted(LeaderMetadata meta) {
        return !closed && meta.equals(wanted);
    }

    private void allocate(LeaderMetadata meta) {
        List<HeldTier> fresh = new ArrayList<>();
        try {
            int host = blocks("num_host_blocks", meta.numHostBlocks());
            int disk = blocks("num_disk_blocks", meta.numDiskBlocks());
            if (!spec.replicatedFollower()) {
                checkHostMemory(host);
            }
            if (spec.rank().isPresent()) {
                if (host > 0) {
                    fresh.add(replicated.host(spec.g1().withNumBlocks(host), () -> stillWanted(meta)));
                }
                if (disk > 0) {
                    fresh.add(replicated.disk(spec.g1().withNumBlocks(disk), () -> stillWanted(meta),
                            () -> lower(Tier.G3, disk)));
                }
            } else {
                if (host > 0) {
                    fresh.add(lower(Tier.G2, host));
                }
                if (disk > 0) {
                    fresh.add(lower(Tier.G3, disk));
                }
            }
        } catch (RuntimeException e) {
            fresh.forEach(HeldTier::close);
            error = e.getMessage();
            long n = failures.incrementAndGet();
            LOG.log(n <= 10 || Long.bitCount(n) == 1 ? System.Logger.Level.ERROR : System.Logger.Level.DEBUG,
                    "allocating G2 (" + meta.numHostBlocks() + " blocks) and G3 (" + meta.numDiskBlocks()
                            + " blocks) failed; pings stay unanswered: " + e.getMessage() + " (" + n + " failure(s))");
            synchronized (this) {
                failedFor = meta;
            }
            return;
        }
        synchronized (this) {
            if (!tiers.replaceLower(fresh)) {
                return; // closed meanwhile: fresh was freed
            }
            allocatedFor = meta;
            failedFor = null;
            error = null;
            allocations.incrementAndGet();
        }
        LOG.log(System.Logger.Level.INFO, "worker allocated G2 " + meta.numHostBlocks() + " blocks, G3 " + meta.numDiskBlocks() + " blocks");
    }

    /** Refuses a G2 larger than the host memory still available, before allocating (and maybe being OOM-killed). */
    private void checkHostMemory(int host) {
        long blockBytes = spec.g1().blockDataBytes();
        long wanted = Math.multiplyHigh(host, blockBytes) != 0 ? Long.MAX_VALUE : host * blockBytes;
        java.util.OptionalLong available = dev.kvbm.core.cluster.HostMemory.available();
        if (host > 0 && available.isPresent() && wanted > available.getAsLong()) {
            throw new KvbmException(dev.kvbm.api.ErrorCode.ALLOCATION_FAILED, String.format(
                    "G2 of %d blocks of %d bytes (this worker's shard) needs %.2f GiB of host memory, but its host has "
                            + "%.2f GiB available (MemAvailable in /proc/meminfo); give the leader a smaller G2",
                    host, blockBytes, wanted / (double) (1L << 30), available.getAsLong() / (double) (1L << 30)));
        }
    }

    private HeldTier lower(Tier tier, int blocks) {
        return HeldTier.assemble(registry, tier, spec.g1().withNumBlocks(blocks), LayoutType.FULLY_CONTIGUOUS, spec.tierOptions());
    }

    private static int blocks(String field, long n) {
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw KvbmException.invalid(field, Long.toUnsignedString(n), "0.." + Integer.MAX_VALUE);
        }
        return (int) n;
    }

    /** Whether G2/G3 are allocated for the latest metadata. */
    public boolean ready() {
        return ready;
    }

    /** Why the last allocation failed, or null. */
    public String error() {
        return error;
    }

    /** How many times G2/G3 were allocated (once per distinct leader metadata). */
    public long allocations() {
        return allocations.get();
    }

    /** Whether no allocation is running or wanted. */
    public synchronized boolean idle() {
        return allocator == null;
    }

    /** Stops taking metadata and waits for a running allocation to end (it frees what it took). */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            ready = false;
            t = allocator;
        }
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
