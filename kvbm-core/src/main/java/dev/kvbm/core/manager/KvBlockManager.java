package dev.kvbm.core.manager;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.HostMemoryRegistrar;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.api.events.KvEventPublisher;
import dev.kvbm.core.events.KvEventJournal;
import dev.kvbm.core.hash.SequenceHashes;
import dev.kvbm.core.integrity.ChecksumCounters;
import dev.kvbm.core.internal.TierAssembly;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.offload.FrequencyFilter;
import dev.kvbm.core.internal.integrity.BlockChecksums;
import dev.kvbm.core.internal.offload.OffloadManager;
import dev.kvbm.core.offload.OffloadBackpressure;
import dev.kvbm.core.offload.OffloadCounters;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.pool.BlockPool;
import dev.kvbm.core.pool.ImmutableBlock;
import dev.kvbm.core.pool.MutableBlock;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.remote.RemoteTier;
import dev.kvbm.core.remote.RemoteTierConfig;
import dev.kvbm.core.transfer.BlockMover;
import dev.kvbm.core.transfer.LocalBlockMover;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The block manager as an engine uses it, in one process that owns every tier's bytes.
 *
 * <ol>
 *   <li>{@link #prepare}: match the request's block hashes as a prefix across G1, then G2, then G3;
 *       onboard what G2/G3 hold into G1 (checked against its checksum); allocate G1 blocks for the rest.</li>
 *   <li>The engine computes into the fresh blocks.</li>
 *   <li>{@link #commit}: register the fresh blocks; each is offloaded down the tiers (write-through).</li>
 *   <li>{@link PreparedRequest#close()}: release, in hash order.</li>
 * </ol>
 */
public final class KvBlockManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KvBlockManager.class.getName());
    /** Block alignment of disk tiers: the logical block size of nearly every device. */
    static final int DISK_ALIGNMENT = 4096;

    private final Map<Tier, TierRuntime> tiers;
    /** The tiers' pools, G1 first: read on every eviction (on the request's thread) without an iterator. */
    private final BlockPool[] pools;
    private final TierRuntime g1;
    private final BlockChecksums checksums;
    private final OffloadManager offloads;
    private final Map<String, PathStats> stats = new LinkedHashMap<>();
    /** The onboarding path of each lower tier (X->G1), looked up per request without building its name. */
    private final Map<Tier, PathStats> onboardStats = new EnumMap<>(Tier.class);
    private final BlockMover mover;
    private final TierHealth health;
    private final Optional<KvEventJournal> events;
    private final ManagerCounters counters;
    /** G4, when configured: null otherwise (the local tiers then behave exactly as without it). */
    private final RemoteTier remote;
    /** How long close() waits for prepares and commits running on other threads. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** Read-held by each prepare/commit, write-held by close(). */
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private KvBlockManager(Builder b) {
        Map<Tier, TierRuntime> built = new EnumMap<>(Tier.class);
        BlockMover chosen = null;
        try {
            // Tiers are built from G1 down, so the registrar of a device G1 reaches the host tiers below it.
            HostMemoryRegistrar registrar = HostMemoryRegistrar.NONE;
            for (Map.Entry<Tier, Integer> e : b.blocks.entrySet()) {
                if (b.mover != null) {
                    built.put(e.getKey(), logicalTier(b, e.getKey(), e.getValue()));
                    continue;
                }
                BuiltTier t = buildTier(b, e.getKey(), e.getValue(), registrar);
                built.put(e.getKey(), t.runtime());
                if (registrar == HostMemoryRegistrar.NONE) {
                    registrar = b.registry.hostRegistrar(t.runtime().provider(), t.config());
                }
            }
            this.tiers = Collections.unmodifiableMap(built);
            this.pools = built.values().stream().map(TierRuntime::pool).toArray(BlockPool[]::new);
            this.g1 = tiers.get(Tier.G1);
            if (b.mover != null) {
                chosen = b.mover;
            } else {
                Map<Tier, PhysicalLayout> layouts = new EnumMap<>(Tier.class);
                built.values().forEach(t -> layouts.put(t.tier(), t.physical()));
                chosen = new LocalBlockMover(layouts, b.registry);
            }
            this.mover = chosen;
            this.checksums = new BlockChecksums(b.integrity);
            // The environment is read here, when the manager is built, not when the builder was made.
            int batchSize = b.batchSize != null ? b.batchSize : Builder.batchSizeFromEnvironment();
            boolean diskFilter = b.diskFilter != null ? b.diskFilter : FrequencyFilter.enabledByEnvironment();
            List<OffloadManager.Edge> edges = new ArrayList<>();
            List<TierRuntime> ordered = new ArrayList<>(tiers.values());
            for (int i = 0; i + 1 < ordered.size(); i++) {
                TierRuntime src = ordered.get(i);
                TierRuntime dst = ordered.get(i + 1);
                mover.checkPath(src.tier(), dst.tier());
                // Dynamo's frequency filter guards the disk: G2 blocks reach G3 on their second offload.
                Optional<FrequencyFilter> filter = src.tier() == Tier.G2 && dst.tier() == Tier.G3 && diskFilter
                        ? Optional.of(b.filterFactory.get()) : Optional.empty();
                edges.add(new OffloadManager.Edge(src.tier(), src.pool(), src.layout(), dst.tier(), dst.pool(),
                        dst.layout(), mover, stats(src.tier(), dst.tier()), dst.blockBytes(), filter));
            }
            for (TierRuntime t : ordered) {
                if (t.tier() != Tier.G1) {
                    mover.checkPath(t.tier(), Tier.G1); // onboarding paths exist before the first request
                    onboardStats.put(t.tier(), stats(t.tier(), Tier.G1));
                }
            }
            this.health = b.health != null ? b.health : new TierHealth(TierHealth.DEFAULT_FAILURE_THRESHOLD,
                    TierHealth.DEFAULT_COOL_DOWN, System::nanoTime);
            this.offloads = new OffloadManager(edges, checksums, batchSize, b.maxInFlight, health,
                    b.offloadQueueCapacity, b.offloadBackpressure);
            RemoteTier g4 = null;
            if (b.remoteConfig != null) {
                try {
                    g4 = RemoteTiers.build(b.remoteConfig, b.remoteStore, b.registry, b.geometry, ordered, health,
                            checksums, this::stats, b.mover);
                } catch (RuntimeException e) {
                    offloads.close();
                    throw e;
                }
            }
            this.remote = g4;
            this.counters = new ManagerCounters(b.geometry.pageSize());
            this.events = b.eventPublisher == null ? Optional.empty()
                    : Optional.of(new KvEventJournal(b.eventPublisher, b.geometry.pageSize(), b.dataParallelRank));
            events.ifPresent(journal -> ordered.forEach(t -> t.pool().journal(journal)));
            for (TierRuntime t : ordered) {
                t.pool().addListener(new BlockPool.Listener() {
                    @Override
                    public void evicted(BlockPool pool, long sequenceHash) {
                        forgetIfGone(sequenceHash);
                    }
                });
            }
        } catch (RuntimeException e) {
            if (chosen != null && b.mover == null) {
                chosen.close();
            }
            built.values().forEach(TierRuntime::close);
            throw e;
        }
    }

    private static TierRuntime logicalTier(Builder b, Tier tier, int numBlocks) {
        return new TierRuntime(tier, "logical", new BlockPool(tier + "/logical", tier, numBlocks), Optional.empty(),
                Optional.empty(), b.geometry.blockDataBytes(), 0);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A tier and the configuration it was built with. */
    private record BuiltTier(TierRuntime runtime, TierConfig config) {
    }

    private static BuiltTier buildTier(Builder b, Tier tier, int numBlocks, HostMemoryRegistrar registrar) {
        TierProvider provider = TierAssembly.provider(b.registry, tier, b.providerNames.get(tier));
        LayoutType type = b.layoutTypes.getOrDefault(tier, LayoutType.FULLY_CONTIGUOUS);
        LayoutConfig sized = b.geometry.withNumBlocks(numBlocks);
        // O_DIRECT moves whole logical blocks: aligned disk blocks go straight from host memory.
        LayoutConfig config = provider.storageKind() == StorageKind.DISK && sized.alignment() < DISK_ALIGNMENT
                ? sized.withAlignment(DISK_ALIGNMENT) : sized;
        TierConfig tierConfig = new TierConfig(tier, config, type, b.options, registrar);
        TierAssembly.Assembled a = TierAssembly.allocate(provider, tierConfig);
        LOG.log(System.Logger.Level.INFO, () -> String.format("%s: %d blocks of %d bytes on %s in %.1f ms", tier,
                numBlocks, config.blockDataBytes(), provider.name(), a.nanos() / 1e6));
        return new BuiltTier(new TierRuntime(tier, provider.name(), new BlockPool(tier + "/" + provider.name(), tier,
                numBlocks), Optional.of(a.layout()), Optional.of(a.allocator()), config.blockDataBytes(), a.nanos()),
                tierConfig);
    }

    /** Only the constructor adds paths, so requests on several threads read the map without a lock. */
    private PathStats stats(Tier from, Tier to) {
        return stats.computeIfAbsent(pathName(from, to), PathStats::new);
    }

    private static String pathName(Tier from, Tier to) {
        return from + "->" + to;
    }

    /** Matches, onboards and allocates for a request given as token ids (its KV events carry them). */
    public PreparedRequest prepare(int[] tokens, int blockSize, long salt) {
        long[] hashes = SequenceHashes.sequenceHashes(tokens, blockSize, salt);
        return blockSize == counters.pageSize() ? prepare(hashes, hashes.length, tokens) : prepare(hashes);
    }

    /**
     * As {@link #prepare(long[], int)} for the blocks of {@code tokens} (a prompt: block i is tokens
     * {@code [i * pageSize, (i + 1) * pageSize)}), so that the KV events of its fresh blocks carry their token ids.
     */
    public PreparedRequest prepare(long[] sequenceHashes, int reuseLimit, int[] tokens) {
        PreparedRequest p = prepare(sequenceHashes, reuseLimit);
        p.tokens(tokens.clone());
        return p;
    }

    /**
     * Matches {@code sequenceHashes} as a prefix across the tiers, onboards G2/G3 hits into G1, and
     * allocates G1 blocks for the rest. Fails with {@code NOT_ENOUGH_BLOCKS} (holding nothing) when G1
     * cannot hold the request.
     */
    public PreparedRequest prepare(long[] sequenceHashes) {
        return prepare(sequenceHashes, sequenceHashes.length);
    }

    /**
     * As {@link #prepare(long[])}, reusing at most {@code reuseLimit} blocks of the cached prefix: an
     * engine must compute at least one token, so when a whole prompt is cached its last block is
     * computed again. Past the limit, blocks G1 already holds are kept (not fresh) and the rest are allocated.
     */
    public PreparedRequest prepare(long[] sequenceHashes, int reuseLimit) {
        if (reuseLimit < 0 || reuseLimit > sequenceHashes.length) {
            throw KvbmException.invalid("reuseLimit", reuseLimit, "in 0.." + sequenceHashes.length);
        }
        Lock open = enter("prepare");
        try {
            return prepareOpen(sequenceHashes, reuseLimit);
        } finally {
            open.unlock();
        }
    }

    private PreparedRequest prepareOpen(long[] sequenceHashes, int reuseLimit) {
        PreparedRequest p = new PreparedRequest(sequenceHashes);
        try {
            List<ImmutableBlock> g1Hits = g1.pool().matchSequenceHashes(sequenceHashes, 0, reuseLimit);
            int pos = 0;
            for (ImmutableBlock b : g1Hits) {
                p.set(pos++, b);
            }
            p.addHits(Tier.G1, g1Hits.size());
            for (TierRuntime lower : tiers.values()) {
                if (lower.tier() == Tier.G1 || pos == reuseLimit) {
                    continue;
                }
                if (!health.usable(lower.tier())) {
                    break; // a degraded tier serves nothing; the prefix ends here
                }
                List<ImmutableBlock> found = lower.pool().matchSequenceHashes(sequenceHashes, pos, reuseLimit);
                if (found.isEmpty()) {
                    continue;
                }
                int onboarded = onboard(p, lower, found, pos);
                p.addHits(lower.tier(), onboarded);
                pos += onboarded;
                if (onboarded < found.size()) {
                    break; // a corrupt or failed block ends the cached prefix
                }
            }
            if (remote != null && pos < reuseLimit) {
                pos += onboardRemote(p, sequenceHashes, pos, reuseLimit);
            }
            counters.requested(sequenceHashes.length);
            for (Tier t : Tier.values()) {
                counters.hit(t, p.hits(t));
            }
            // Past the first miss the engine recomputes, but a block G1 already holds needs no new room.
            ImmutableBlock[] present = g1.pool().lookupEach(sequenceHashes, pos, sequenceHashes.length);
            int[] freshPositions = new int[present.length];
            int freshCount = 0;
            for (int i = 0; i < present.length; i++) {
                if (present[i] == null) {
                    freshPositions[freshCount++] = pos + i;
                } else {
                    p.set(pos + i, present[i]);
                }
            }
            List<MutableBlock> fresh = g1.pool().allocate(freshCount);
            for (int i = 0; i < fresh.size(); i++) {
                p.set(freshPositions[i], fresh.get(i));
            }
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** Copies {@code found} (blocks of {@code lower} for positions from {@code pos}) into G1; returns how many are usable. */
    private int onboard(PreparedRequest p, TierRuntime lower, List<ImmutableBlock> found, int pos) {
        List<MutableBlock> targets = g1.pool().allocate(found.size());
        List<BlockPair> pairs = new ArrayList<>(found.size());
        for (int i = 0; i < found.size(); i++) {
            pairs.add(new BlockPair(found.get(i).blockId(), targets.get(i).blockId()));
        }
        PathStats path = onboardStats.get(lower.tier()); // made by the constructor: a read only
        long start = path.begin();
        boolean ok = false;
        try {
            mover.move(lower.tier(), Tier.G1, pairs).join();
            ok = true;
        } catch (CompletionException | KvbmException e) {
            LOG.log(System.Logger.Level.WARNING, "onboarding " + found.size() + " block(s) from " + lower.tier()
                    + " failed; serving them as misses: " + e);
        } finally {
            if (ok) {
                health.success(lower.tier());
            } else if (health.failure(lower.tier())) {
                LOG.log(System.Logger.Level.WARNING, lower.tier() + " is degraded after repeated failed transfers; "
                        + "it is passed by until it is probed again");
            }
            path.end(start, found.size(), found.size() * g1.blockBytes(), ok);
            p.addCopyNanos(System.nanoTime() - start);
        }
        int usable = 0;
        if (ok) {
            for (int i = 0; i < found.size(); i++) {
                long hash = p.sequenceHash(pos + i);
                if (g1.layout().isPresent() && !checksums.verify(hash, g1.physical(), targets.get(i).blockId())) {
                    LOG.log(System.Logger.Level.ERROR, "block " + Long.toUnsignedString(hash) + " onboarded from "
                            + lower.tier() + " fails its checksum; dropped from " + lower.tier() + " and recomputed");
                    lower.pool().invalidate(hash);
                    p.addChecksumFailure();
                    counters.checksumFailure(lower.tier());
                    break;
                }
                targets.get(i).complete(hash, p.parent(pos + i));
                usable++;
            }
        }
        // Always an ArrayList, as every other caller passes: a subList's iterator would make the JIT drop
        // register's compiled code (type profile of its loops) and compile it again mid-run.
        List<MutableBlock> good = usable == targets.size() ? targets : new ArrayList<>(targets.subList(0, usable));
        List<ImmutableBlock> registered = usable == 0 ? List.of() : g1.pool().register(good);
        for (int i = usable; i < targets.size(); i++) {
            targets.get(i).close();
        }
        for (int i = 0; i < usable; i++) {
            p.set(pos + i, registered.get(i));
        }
        for (ImmutableBlock b : found) {
            b.close(); // the lower tier's hits become its most recently used, in order
        }
        return usable;
    }

    /** Continues the prefix in G4: hits land in G2 (then onboarded into G1 as G2 hits are) or straight in G1. */
    private int onboardRemote(PreparedRequest p, long[] hashes, int pos, int reuseLimit) {
        List<ImmutableBlock> fetched = remote.fetchPrefix(hashes, pos, reuseLimit);
        if (fetched.isEmpty()) {
            return 0;
        }
        int served;
        if (remote.landingTier() == Tier.G1) {
            for (int i = 0; i < fetched.size(); i++) {
                p.set(pos + i, fetched.get(i));
            }
            served = fetched.size();
        } else {
            served = onboard(p, tiers.get(remote.landingTier()), fetched, pos);
        }
        p.addHits(Tier.G4, served);
        return served;
    }

    /**
     * Registers the request's fresh blocks in G1 (after the engine computed them), which queues each
     * for offload to the next tier. Their checksums are taken by that offload, from these G1 bytes (when G1 is
     * host memory), on the offload's thread.
     */
    public void commit(PreparedRequest p) {
        Lock open = enter("commit");
        try {
            commitOpen(p);
        } finally {
            open.unlock();
        }
    }

    /**
     * Holds the manager open for one prepare or commit: close() waits for those running (they may copy into
     * tier memory) and later calls fail instead of touching freed memory.
     */
    private Lock enter(String operation) {
        Lock open = closing.readLock();
        open.lock();
        if (closed) {
            open.unlock();
            throw new KvbmException(ErrorCode.INVALID_STATE, operation + " on a closed block manager");
        }
        return open;
    }

    private void commitOpen(PreparedRequest p) {
        synchronized (p) { // against a close() or a second commit() of the same request on another thread
            if (p.isClosed()) {
                throw new KvbmException(ErrorCode.INVALID_STATE, "request already closed");
            }
            if (p.committed()) {
                throw new KvbmException(ErrorCode.INVALID_STATE, "request already committed");
            }
            // No checksum here: the G1 -> G2 lane takes it from these bytes on its own thread before copying them.
            List<MutableBlock> fresh = new ArrayList<>();
            int[] positions = new int[p.length()];
            for (int i = 0; i < p.length(); i++) {
                if (p.slot(i) instanceof MutableBlock m) {
                    long hash = p.sequenceHash(i);
                    int[] blockTokens = events.isPresent() ? p.blockTokens(i, counters.pageSize()) : null;
                    if (blockTokens != null) {
                        events.get().tokens(hash, blockTokens);
                    }
                    m.complete(hash, p.parent(i));
                    positions[fresh.size()] = i;
                    fresh.add(m);
                }
            }
            p.markCommitted();
            if (!fresh.isEmpty()) {
                List<ImmutableBlock> registered = g1.pool().register(fresh);
                for (int i = 0; i < registered.size(); i++) {
                    p.set(positions[i], registered.get(i));
                }
            }
        }
        if (events.isPresent()) {
            events.get().flush(); // one batch per request: its evictions, onboardings and blocks
        }
    }

    /**
     * Forgets every block of every local tier (vLLM's reset of the prefix cache; G4 is shared and stays): waits
     * for the offloads, then resets each pool. With events on this is one AllBlocksCleared (a reset of one pool
     * alone, {@code tier(t).pool().reset()}, is a removal per block). Fails with {@code INVALID_STATE}, changing
     * nothing, while any block is in use (a request not closed).
     */
    public void reset() {
        Lock exclusive = closing.writeLock(); // no prepare or commit runs meanwhile
        exclusive.lock();
        try {
            if (closed) {
                throw new KvbmException(ErrorCode.INVALID_STATE, "reset on a closed block manager");
            }
            awaitOffloads();
            for (TierRuntime t : tiers.values()) {
                dev.kvbm.core.pool.PoolStatus s = t.pool().status();
                if (s.free() + s.inactive() < s.total()) {
                    throw new KvbmException(ErrorCode.INVALID_STATE, "cannot reset while blocks are in use: " + t.tier()
                            + " " + s);
                }
            }
            Runnable resetAll = () -> tiers.values().forEach(t -> t.pool().reset());
            events.ifPresentOrElse(journal -> journal.clearing(resetAll), resetAll);
            events.ifPresent(KvEventJournal::flush);
        } finally {
            exclusive.unlock();
        }
    }

    private void forgetIfGone(long sequenceHash) {
        for (BlockPool pool : pools) {
            if (pool.contains(sequenceHash)) {
                return;
            }
        }
        checksums.forget(sequenceHash);
    }

    /** Waits until every queued offload has been copied (or skipped) and registered. */
    public void awaitOffloads() {
        offloads.awaitIdle();
        if (remote != null) {
            remote.awaitOffloads(); // after the local lanes: their registrations are what it offloads
        }
        events.ifPresent(KvEventJournal::flush);
    }

    /** G4, when the manager was built with one. */
    public Optional<RemoteTier> remote() {
        return Optional.ofNullable(remote);
    }

    /** Every offload skip count by reason: the local lanes', then G4's ({@code g4...}) when there is a G4. */
    public Map<String, Long> offloadSkipCounts() {
        Map<String, Long> skips = new LinkedHashMap<>(offloads.skipCounts());
        if (remote != null) {
            skips.putAll(remote.offloadCounts());
        }
        return skips;
    }

    /** G4 values refused by their header or checksum so far (misses, like local checksum failures); 0 without G4. */
    public long remoteChecksumFailures() {
        return remote == null ? 0 : remote.storeStats().checksumFailures();
    }

    /** Requests, hits per tier and checksum failures so far, for metrics. */
    public ManagerCounters counters() {
        return counters;
    }

    /** The journal that publishes this manager's KV events, when events are on. */
    public Optional<KvEventJournal> events() {
        return events;
    }

    public TierRuntime tier(Tier tier) {
        TierRuntime t = tiers.get(tier);
        if (t == null) {
            throw new KvbmException(ErrorCode.INVALID_ARGUMENT, tier + " is not configured");
        }
        return t;
    }

    public Map<Tier, TierRuntime> tiers() {
        return tiers;
    }

    /** Per-path transfer statistics, e.g. {@code G1->G2}, {@code G2->G1}. */
    public Map<String, PathStats> pathStats() {
        return Collections.unmodifiableMap(stats);
    }

    /** What the integrity checks verified and caught. */
    public ChecksumCounters checksums() {
        return checksums;
    }

    /** Counts of what the offloads skipped and failed. */
    public OffloadCounters offloads() {
        return offloads;
    }

    /** Which tiers are degraded by repeated transfer failures, and how often that happened. */
    public TierHealth health() {
        return health;
    }

    /** The mover that copies between tiers (engines here, or the workers for a distributed leader). */
    public BlockMover mover() {
        return mover;
    }

    /**
     * Waits (at most {@link #CLOSE_TIMEOUT}) for the prepares and commits running on other threads, then
     * stops the offloads (their copies in flight finish), the engines and the tiers. Idempotent; requests
     * still open may be closed afterwards (they only give blocks back).
     */
    @Override
    public void close() {
        Lock exclusive = closing.writeLock();
        boolean alone = false;
        try {
            alone = exclusive.tryLock(CLOSE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (!alone) {
                LOG.log(System.Logger.Level.WARNING, "closing the block manager while requests are still being "
                        + "prepared or committed after " + CLOSE_TIMEOUT);
            }
        } finally {
            if (alone) {
                exclusive.unlock();
            }
        }
        if (remote != null) {
            remote.close();
        }
        offloads.close();
        events.ifPresent(KvEventJournal::flush);
        mover.close();
        tiers.values().forEach(TierRuntime::close);
    }

    /** Configuration of a manager: geometry, tier sizes, providers, integrity, batching. */
    public static final class Builder {
        private LayoutConfig geometry;
        private final Map<Tier, Integer> blocks = new EnumMap<>(Tier.class);
        private final Map<Tier, LayoutType> layoutTypes = new EnumMap<>(Tier.class);
        private final Map<Tier, String> providerNames = new EnumMap<>(Tier.class);
        private ProviderRegistry registry;
        private IntegrityMode integrity = IntegrityMode.SAMPLED;
        private Integer batchSize; // null: DYN_KVBM_TRANSFER_BATCH_SIZE, read when built
        private int maxInFlight = ConfigKeys.MAX_CONCURRENT_TRANSFERS;
        private Map<String, String> options = Map.of();
        private BlockMover mover;
        private Boolean diskFilter; // null: DYN_KVBM_DISABLE_DISK_OFFLOAD_FILTER, read when built
        private java.util.function.Supplier<FrequencyFilter> filterFactory = FrequencyFilter::dynamoDefaults;
        private TierHealth health;
        private KvEventPublisher eventPublisher;
        private int dataParallelRank;
        private RemoteTierConfig remoteConfig;
        private dev.kvbm.api.spi.RemoteBlockStore remoteStore;
        private OffloadBackpressure offloadBackpressure = OffloadBackpressure.WAIT;
        private int offloadQueueCapacity = OffloadManager.DEFAULT_QUEUE_CAPACITY;

        private Builder() {
        }

        /**
         * Publishes every registration and removal in every tier as KV events through {@code publisher}
         * (which the caller closes), stamped with {@code dataParallelRank}.
         */
        public Builder events(KvEventPublisher publisher, int dataParallelRank) {
            if (dataParallelRank < 0) {
                throw KvbmException.invalid("dataParallelRank", dataParallelRank, ">= 0");
            }
            this.eventPublisher = publisher;
            this.dataParallelRank = dataParallelRank;
            return this;
        }

        /**
         * Adds G4: the store at {@code config.uri()}, opened through the registry's remote tier provider
         * for its scheme, shared with every manager of the same model identity and geometry.
         */
        public Builder remote(RemoteTierConfig config) {
            this.remoteConfig = config;
            this.remoteStore = null;
            return this;
        }

        /** Adds G4 over an already open store (its namespace must match the geometry); closed with the manager. */
        public Builder remote(dev.kvbm.api.spi.RemoteBlockStore store, RemoteTierConfig config) {
            this.remoteConfig = java.util.Objects.requireNonNull(config, "config");
            this.remoteStore = java.util.Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * What a registration does when the next tier's offload queue is full: {@code WAIT} (the default)
         * for a replay, where every block must reach every tier; {@code SKIP} for a serving session, where
         * a request never waits for a lower tier (skips are counted as {@code targetBusy}).
         */
        public Builder offloadBackpressure(OffloadBackpressure mode) {
            this.offloadBackpressure = java.util.Objects.requireNonNull(mode, "offloadBackpressure");
            return this;
        }

        /** Blocks each offload edge queues before {@link #offloadBackpressure} applies (default 16384). */
        public Builder offloadQueueCapacity(int blocks) {
            if (blocks < 1) {
                throw KvbmException.invalid("offloadQueueCapacity", blocks, ">= 1");
            }
            this.offloadQueueCapacity = blocks;
            return this;
        }

        /**
         * Turns Dynamo's G2 -> G3 frequency filter on or off (default: on unless
         * {@code DYN_KVBM_DISABLE_DISK_OFFLOAD_FILTER} is {@code true} or {@code 1}).
         */
        public Builder diskOffloadFilter(boolean enabled) {
            this.diskFilter = enabled;
            return this;
        }

        /** The filter the G2 -> G3 edge uses when enabled (tests give one on a fake clock). */
        public Builder diskOffloadFilter(java.util.function.Supplier<FrequencyFilter> factory) {
            this.diskFilter = true;
            this.filterFactory = factory;
            return this;
        }

        /** When tiers count as degraded and how long before they are probed again. */
        public Builder tierHealth(TierHealth tierHealth) {
            this.health = tierHealth;
            return this;
        }

        /**
         * Makes every tier logical: the manager keeps block ids, hashes and eviction, and {@code mover}
         * (a distributed leader's link to its workers) copies the bytes. No storage is allocated here.
         * Checksums are then the workers' business. The mover is closed with the manager.
         */
        public Builder logical(BlockMover blockMover) {
            this.mover = blockMover;
            return this;
        }

        /** Block geometry shared by every tier; its numBlocks is ignored (each tier has its own). */
        public Builder geometry(LayoutConfig config) {
            this.geometry = config;
            return this;
        }

        /** Gives {@code tier} {@code numBlocks} blocks; 0 leaves the tier out. */
        public Builder tierBlocks(Tier tier, int numBlocks) {
            if (numBlocks < 0) {
                throw KvbmException.invalid(tier.name().toLowerCase(java.util.Locale.ROOT) + "Blocks", numBlocks, ">= 0");
            }
            if (numBlocks == 0) {
                blocks.remove(tier);
            } else {
                blocks.put(tier, numBlocks);
            }
            return this;
        }

        public Builder layoutType(Tier tier, LayoutType type) {
            layoutTypes.put(tier, type);
            return this;
        }

        /** Uses the named provider for {@code tier} instead of the best available one. */
        public Builder tierProvider(Tier tier, String providerName) {
            providerNames.put(tier, providerName);
            return this;
        }

        public Builder providers(ProviderRegistry registry) {
            this.registry = registry;
            return this;
        }

        public Builder integrity(IntegrityMode mode) {
            this.integrity = mode;
            return this;
        }

        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        public Builder maxInFlight(int n) {
            this.maxInFlight = n;
            return this;
        }

        /** Options handed to every tier provider (directories, limits). */
        public Builder options(Map<String, String> tierOptions) {
            this.options = Map.copyOf(tierOptions);
            return this;
        }

        public KvBlockManager build() {
            if (geometry == null) {
                throw KvbmException.invalid("geometry", "nothing", "set (layers, outer, page, inner, dtype)");
            }
            if (!blocks.containsKey(Tier.G1)) {
                throw KvbmException.invalid("g1Blocks", 0, ">= 1: every manager has a G1 tier");
            }
            if (registry == null && mover == null) {
                registry = ProviderRegistry.load();
            }
            return new KvBlockManager(this);
        }

        static int batchSizeFromEnvironment() {
            String text = System.getenv(ConfigKeys.TRANSFER_BATCH_SIZE);
            if (text == null || text.isBlank()) {
                return ConfigKeys.DEFAULT_TRANSFER_BATCH_SIZE;
            }
            try {
                int v = Integer.parseInt(text.trim());
                if (v >= 1 && v <= 1024) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the error
            }
            throw KvbmException.invalid(ConfigKeys.TRANSFER_BATCH_SIZE, "'" + text + "'", "an integer in 1..1024");
        }
    }

}
