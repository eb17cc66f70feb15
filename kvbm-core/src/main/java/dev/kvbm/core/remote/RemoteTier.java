package dev.kvbm.core.remote;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.RemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreStats;
import dev.kvbm.core.integrity.BlockBytes;
import dev.kvbm.core.internal.integrity.BlockChecksums;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.core.pool.BlockPool;
import dev.kvbm.core.pool.ImmutableBlock;
import dev.kvbm.core.pool.MutableBlock;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * G4 as a manager uses it: a shared remote store that continues prefix matching past the local tiers
 * (batched presence queries, then reads into the landing tier, G2 or G1 when there is no G2), and a
 * lane of its own that offloads every block reaching the lowest host-addressable tier.
 *
 * <p>Any store failure degrades G4 through the manager's {@link TierHealth}; a degraded G4 is passed
 * by until its cool-down ends. Bytes reach a pool only when the store verified their checksum.
 */
public final class RemoteTier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RemoteTier.class.getName());
    /** Presence queries per pipelined round. */
    static final int PRESENCE_BATCH = 32;

    /**
     * Where G4 blocks are copied to and from: a tier of this process, or (layout null) a distributed leader's
     * logical tier, whose bytes are on its workers.
     */
    public record LocalSide(Tier tier, BlockPool pool, PhysicalLayout layout) {
        public LocalSide {
            if (layout != null && !BlockBytes.hostAddressable(layout)) {
                throw new KvbmException(ErrorCode.INVALID_CONFIG, tier + " is " + layout.kind()
                        + " memory: G4 moves blocks through host memory, so it needs a host-addressable G2 (or G1)");
            }
        }
    }

    private final RemoteBlockIo io;
    private final LocalSide landing;
    private final long blockBytes;
    private final TierHealth health;
    private final PathStats onboardStats;
    private final BlockChecksums checksums;
    private final RemoteOffloadLane lane;
    private final long timeoutNanos;

    /**
     * @param source  the tier whose registrations are offloaded to G4 (the lowest host-addressable one)
     * @param landing the tier G4 hits are read into (G2, or G1 without a G2)
     */
    public RemoteTier(RemoteBlockStore store, LocalSide source, LocalSide landing, TierHealth health,
                      PathStats offloadStats, PathStats onboardStats, BlockChecksums checksums, RemoteTierConfig config) {
        this(RemoteBlockIo.over(store, source.layout(), landing.layout()), source, landing,
                checkedBlockBytes(store, landing), health, offloadStats, onboardStats, checksums, config);
    }

    /**
     * G4 over {@code io}: for a distributed leader, whose sides are logical ({@code layout} null) and whose
     * workers move {@code blockBytes} (their shards' sum) per block.
     */
    public RemoteTier(RemoteBlockIo io, LocalSide source, LocalSide landing, long blockBytes, TierHealth health,
                      PathStats offloadStats, PathStats onboardStats, BlockChecksums checksums, RemoteTierConfig config) {
        this.io = io;
        this.landing = landing;
        this.blockBytes = blockBytes;
        this.health = health;
        this.onboardStats = onboardStats;
        this.checksums = checksums;
        this.timeoutNanos = config.timeout().toNanos();
        this.lane = new RemoteOffloadLane(io, source.pool(), health, offloadStats, blockBytes, config);
    }

    private static long checkedBlockBytes(RemoteBlockStore store, LocalSide landing) {
        long blockBytes = landing.layout().layout().config().blockDataBytes();
        if (store.namespace().blockBytes() != blockBytes) {
            throw KvbmException.invalid("g4 block bytes", store.namespace().blockBytes(), "the local block size "
                    + blockBytes);
        }
        return blockBytes;
    }

    public Tier landingTier() {
        return landing.tier();
    }

    /** The store of an in-process G4 (a distributed leader's G4 has none here: its workers hold the stores). */
    public RemoteBlockStore store() {
        if (io instanceof StoreBlockIo local) {
            return local.store();
        }
        throw new KvbmException(ErrorCode.INVALID_STATE, "this G4 is on the workers (" + io.describe() + ")");
    }

    /**
     * The longest run of {@code hashes[from, to)} that G4 holds, read into fresh landing-tier blocks and
     * registered there (each handle acquired: the caller closes them). Stops at the first block G4 lacks,
     * the landing tier already holds, or that fails to arrive; empty when G4 is degraded.
     */
    public List<ImmutableBlock> fetchPrefix(long[] hashes, int from, int to) {
        if (from >= to || !health.usable(Tier.G4)) {
            return List.of();
        }
        int run;
        try {
            run = presentRun(hashes, from, to);
        } catch (RuntimeException e) {
            failed("presence query", e);
            return List.of();
        }
        if (run == 0) {
            return List.of();
        }
        List<MutableBlock> targets;
        try {
            targets = landing.pool().allocate(run);
        } catch (KvbmException e) {
            if (e.code() != ErrorCode.NOT_ENOUGH_BLOCKS) {
                throw e;
            }
            LOG.log(Level.DEBUG, () -> landing.tier() + " has no room for " + run + " G4 hit(s): served as misses");
            return List.of();
        }
        long start = onboardStats.begin();
        int[] ids = new int[run];
        for (int i = 0; i < run; i++) {
            ids[i] = targets.get(i).blockId();
        }
        List<CompletableFuture<Boolean>> reads = io.get(java.util.Arrays.copyOfRange(hashes, from, from + run), ids);
        int usable = 0;
        boolean failure = false;
        long deadline = start + 2 * timeoutNanos;
        for (int i = 0; i < run; i++) {
            boolean hit;
            try {
                hit = reads.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                hit = false;
                failure = true;
            } catch (Exception e) {
                if (!failure) {
                    failed("read", e);
                }
                hit = false;
                failure = true;
            }
            // Every read is awaited even past a miss: its target must not be reused while bytes may arrive.
            if (hit && usable == i) {
                usable++;
            }
        }
        if (!failure) {
            health.success(Tier.G4);
        }
        onboardStats.end(start, usable, usable * blockBytes, !failure || usable > 0);
        List<MutableBlock> good = targets.subList(0, usable);
        List<Long> registering = new ArrayList<>(usable);
        for (int i = 0; i < usable; i++) {
            long hash = hashes[from + i];
            if (landing.layout() != null) { // a logical tier's checksums are its workers' business
                checksums.record(hash, landing.layout(), good.get(i).blockId());
            }
            good.get(i).complete(hash, from + i == 0 ? OptionalLong.empty() : OptionalLong.of(hashes[from + i - 1]));
            registering.add(hash);
        }
        targets.subList(usable, targets.size()).forEach(MutableBlock::close);
        if (usable == 0) {
            return List.of();
        }
        lane.fetching(registering);
        try {
            return landing.pool().register(new ArrayList<>(good));
        } finally {
            lane.fetched(registering);
        }
    }

    /** How many leading hashes of {@code [from, to)} G4 holds, stopping where the landing tier already has one. */
    private int presentRun(long[] hashes, int from, int to) {
        int run = 0;
        for (int chunk = from; chunk < to; chunk += PRESENCE_BATCH) {
            int end = Math.min(to, chunk + PRESENCE_BATCH);
            long[] query = java.util.Arrays.copyOfRange(hashes, chunk, end);
            boolean[] present;
            try {
                present = io.contains(query).get(2 * timeoutNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KvbmException(ErrorCode.TIMEOUT, "interrupted while asking G4", e);
            } catch (Exception e) {
                throw new KvbmException(ErrorCode.IO_ERROR, RemoteOffloadLane.rootMessage(e), e);
            }
            for (int i = 0; i < present.length; i++) {
                if (!present[i] || landing.pool().contains(query[i])) {
                    return run;
                }
                run++;
            }
        }
        return run;
    }

    private void failed(String what, Exception e) {
        LOG.log(Level.WARNING, "G4 " + what + " on " + io.describe() + " failed; served as misses: "
                + RemoteOffloadLane.rootMessage(e));
        if (health.failure(Tier.G4)) {
            LOG.log(Level.WARNING, "G4 (" + io.describe() + ") is degraded after repeated failures; lookups pass "
                    + "it by until it is probed again");
        }
    }

    /** Waits until every block queued for G4 was written (or skipped). */
    public void awaitOffloads() {
        lane.awaitIdle();
    }

    /** Offload outcomes to G4 by name ({@code g4Written}, {@code g4LaneFull}, ...). */
    public Map<String, Long> offloadCounts() {
        return lane.counts();
    }

    public RemoteStoreStats storeStats() {
        return io.stats();
    }

    /** Stops the lane, then closes the store. */
    @Override
    public void close() {
        lane.close();
        io.close();
    }
}
