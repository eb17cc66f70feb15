package dev.kvbm.transport.zmq;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.api.spi.WorkerMessage;
import dev.kvbm.api.spi.WorkerTransport;
import dev.kvbm.api.spi.WorkerTransport.Answer;
import dev.kvbm.core.integrity.BlockBytes;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.transfer.LocalBlockMover;
import dev.kvbm.transport.zmq.internal.PayloadJson;
import dev.kvbm.transport.zmq.internal.SharedDiskFiles;
import dev.kvbm.transport.zmq.internal.SharedHostRegion;
import dev.kvbm.transport.zmq.internal.ZmqTransportProvider;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;

/**
 * One worker of a distributed leader: it owns the bytes of every tier for its shard (G1 given at start, on
 * the host when there is no GPU; G2 and G3 allocated once the leader's metadata says how many blocks) and
 * copies what the leader asks through its own transfer engines, answering each {@code transfer_blocks}
 * with a {@link TransferOutcome}.
 *
 * <p>Functions: {@code worker_metadata} (reply: bincode {@link WorkerMetadata}), {@code leader_metadata}
 * (ACK at once, allocate in the background, single flight), {@code ping} (ACK only when ready),
 * {@code transfer_blocks} (reply: outcome). kvbm extensions for checks: {@code kvbm_fill}
 * ({@code {"pool":"Device","blocks":[..],"seed":S}}: writes a pattern derived from the seed and block id,
 * ACK) and {@code kvbm_checksums} ({@code {"pool":"Host","blocks":[..]}}: reply {@code {"crc32c":[..]}}).
 */
public final class ZmqWorker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ZmqWorker.class.getName());

    /** What the worker holds: G1's geometry and block count, its layout, options for the tier providers. */
    /**
     * @param rank      replicated mode when present: every rank holds the same KV; only rank 0 allocates G2 and G3,
     *                  and the other ranks onboard from rank 0's G2 through shared host memory and from rank 0's G3
     *                  by reading its cache files themselves (one host). Empty: sharded, every worker allocates its
     *                  own tiers.
     * @param sharedDir where rank 0's G2 is shared and its G3 files are published (replicated mode)
     * @param group     names the shared region; ranks of one leader agree on it (default: from the leader's endpoint)
     */
    public record Spec(LayoutConfig g1, LayoutType g1Layout, Map<String, String> tierOptions, Duration transferTimeout,
                       java.util.OptionalInt rank, java.nio.file.Path sharedDir, String group) {
        public Spec {
            tierOptions = Map.copyOf(tierOptions);
            if (rank.isPresent() && rank.getAsInt() < 0) {
                throw KvbmException.invalid("rank", rank.getAsInt(), ">= 0");
            }
        }

        public Spec(LayoutConfig g1, LayoutType g1Layout, Map<String, String> tierOptions, Duration transferTimeout) {
            this(g1, g1Layout, tierOptions, transferTimeout, java.util.OptionalInt.empty(), defaultSharedDir(), "");
        }

        public Spec(LayoutConfig g1, LayoutType g1Layout) {
            this(g1, g1Layout, Map.of(), Duration.ofSeconds(60));
        }

        /** The same worker in replicated mode as {@code rank}. */
        public Spec replicated(int rank, java.nio.file.Path dir) {
            return new Spec(g1, g1Layout, tierOptions, transferTimeout, java.util.OptionalInt.of(rank), dir, group);
        }

        Spec withGroup(String name) {
            return new Spec(g1, g1Layout, tierOptions, transferTimeout, rank, sharedDir, name);
        }

        public static java.nio.file.Path defaultSharedDir() {
            java.nio.file.Path shm = java.nio.file.Path.of("/dev/shm");
            return java.nio.file.Files.isDirectory(shm) ? shm : java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
        }

        boolean replicatedFollower() {
            return rank.isPresent() && rank.getAsInt() != 0;
        }
    }

    private static final AtomicLong OPEN_ALLOCATORS = new AtomicLong();

    /**
     * @param shared G2 in replicated mode
     * @param disk   G3 in replicated mode: on rank 0 its publication, on the other ranks rank 0's files read-only
     */
    private record Allocated(Tier tier, PhysicalLayout layout, StorageAllocator allocator, SharedHostRegion shared,
                             SharedDiskFiles disk) {
        Allocated(Tier tier, PhysicalLayout layout, StorageAllocator allocator, SharedHostRegion shared) {
            this(tier, layout, allocator, shared, null);
        }

        /** Whether the rank 0 this replicated follower reads from is gone. */
        boolean ownerGone() {
            return (shared != null && !shared.owner().alive()) || (disk != null && !disk.owner().alive());
        }

        void close() {
            if (disk != null) {
                disk.close(); // withdrawn before rank 0's files are unlinked
            }
            layout.storages().forEach(Storage::close);
            if (allocator != null) {
                allocator.close();
            }
            OPEN_ALLOCATORS.decrementAndGet();
        }
    }

    /** Tier allocations of all workers in this JVM not yet closed (for leak checks). */
    public static long openAllocations() {
        return OPEN_ALLOCATORS.get();
    }

    /** The tiers this worker holds now. */
    public synchronized java.util.Set<Tier> tiers() {
        return java.util.Set.copyOf(tiers.keySet());
    }

    /** Whether no allocation is running or wanted. */
    public synchronized boolean allocationIdle() {
        return !allocatorRunning;
    }

    private final Spec spec;
    private final ProviderRegistry registry;
    private final WorkerTransport transport;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Tier, Allocated> tiers = new EnumMap<>(Tier.class);
    private final AtomicLong badRequests = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();
    private final AtomicLong allocationFailures = new AtomicLong();
    private LocalBlockMover mover;
    private LeaderMetadata allocatedFor;
    private LeaderMetadata wanted;
    private LeaderMetadata allocationFailedFor;
    private boolean allocatorRunning;
    private volatile boolean ready;
    private volatile String allocationError;
    private volatile boolean closed;

    private ZmqWorker(Spec spec, ProviderRegistry registry, WorkerTransport transport) {
        this.spec = spec;
        this.registry = registry;
        this.transport = transport;
        tiers.put(Tier.G1, allocate(Tier.G1, spec.g1(), spec.g1Layout()));
        mover = new LocalBlockMover(layouts(), registry);
    }

    /** Allocates G1 and starts answering the leader over ZeroMQ. */
    public static ZmqWorker start(TransportConfig config, Spec spec, ProviderRegistry registry) {
        WorkerTransport transport = new ZmqTransportProvider().openWorker(config);
        try {
            Spec named = spec.group().isEmpty()
                    ? spec.withGroup("kvbm-" + config.publishEndpoint().replaceAll("[^A-Za-z0-9]+", "_")) : spec;
            return start(transport, named, registry);
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    /** Allocates G1 and starts answering over {@code transport} (any transport provider's). */
    public static ZmqWorker start(WorkerTransport transport, Spec spec, ProviderRegistry registry) {
        ZmqWorker w = new ZmqWorker(spec, registry, transport);
        transport.start(w::handle);
        return w;
    }

    /** A worker with no transport, answering through {@link #handle}: for the dispatcher and its fuzz test. */
    public static ZmqWorker detached(Spec spec, ProviderRegistry registry) {
        return new ZmqWorker(spec, registry, null);
    }

    public WorkerMetadata metadata() {
        return new WorkerMetadata(spec.g1().numBlocks(), spec.g1().blockDataBytes());
    }

    /** Whether G2/G3 are allocated and transfers are served. */
    public boolean isReady() {
        return ready;
    }

    /** Why the last allocation failed, or null. */
    public String allocationError() {
        return allocationError;
    }

    /** Messages dropped as malformed (by the transport) plus requests answered with a protocol error. */
    public long malformedMessages() {
        return (transport == null ? 0 : transport.malformedMessages()) + badRequests.get();
    }

    /** How many times G2/G3 were allocated (once per distinct leader metadata). */
    public long allocations() {
        return allocations.get();
    }

    /** The worker's answer to one message; throws for what the dispatcher counts as malformed. */
    public Answer handle(WorkerMessage m) {
        return switch (m.function()) {
            case "worker_metadata" -> new Answer.Reply(metadata().encode());
            case "leader_metadata" -> leaderMetadata(m);
            case "ping" -> ready ? new Answer.Ack() : new Answer.Silent();
            case "transfer_blocks" -> new Answer.Reply(transfer(m).encode());
            case "kvbm_fill" -> fill(m);
            case "kvbm_checksums" -> checksums(m);
            default -> throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "unknown function '" + m.function() + "'");
        };
    }

    private Answer leaderMetadata(WorkerMessage m) {
        if (m.data().size() != 1) {
            throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "leader_metadata must have exactly one data frame (got "
                    + m.data().size() + ")");
        }
        LeaderMetadata meta = LeaderMetadata.decode(m.data().getFirst());
        synchronized (this) {
            if (spec.replicatedFollower() && tiers.values().stream().anyMatch(Allocated::ownerGone)
                    && meta.equals(allocatedFor)) {
                // rank 0 restarted: its new G2 is another region and its G3 other files, which this rank must map afresh
                allocatedFor = null;
                wanted = null;
                ready = false;
            }
            if (closed || meta.equals(wanted)) {
                return new Answer.Ack(); // single flight: a rebroadcast never allocates twice
            }
            wanted = meta;
            if (!meta.equals(allocatedFor)) {
                ready = false;
            }
            if (!allocatorRunning) {
                allocatorRunning = true;
                Thread.ofVirtual().name("kvbm-worker-allocate").start(this::allocateLoop);
            }
        }
        return new Answer.Ack();
    }

    /** One allocating thread at a time, always for the latest metadata: a flood of messages never piles up allocations. */
    private void allocateLoop() {
        while (true) {
            LeaderMetadata meta;
            synchronized (this) {
                if (closed || wanted == null || wanted.equals(allocatedFor)) {
                    allocatorRunning = false;
                    ready = !closed && wanted != null && wanted.equals(allocatedFor);
                    return;
                }
                meta = wanted;
            }
            allocateLower(meta);
            synchronized (this) {
                if (allocationFailedFor != null && allocationFailedFor.equals(wanted)) {
                    allocatorRunning = false; // stays unready until the leader sends other metadata
                    return;
                }
            }
        }
    }

    private void allocateLower(LeaderMetadata meta) {
        List<Allocated> fresh = new ArrayList<>();
        try {
            int host = blocks("num_host_blocks", meta.numHostBlocks());
            int disk = blocks("num_disk_blocks", meta.numDiskBlocks());
            if (spec.rank().isPresent()) {
                if (host > 0) {
                    fresh.add(shared(spec.g1().withNumBlocks(host), meta));
                }
                if (disk > 0) {
                    fresh.add(sharedDisk(spec.g1().withNumBlocks(disk), meta));
                }
            } else {
                if (host > 0) {
                    fresh.add(allocate(Tier.G2, spec.g1().withNumBlocks(host), LayoutType.FULLY_CONTIGUOUS));
                }
                if (disk > 0) {
                    fresh.add(allocate(Tier.G3, spec.g1().withNumBlocks(disk), LayoutType.FULLY_CONTIGUOUS));
                }
            }
        } catch (RuntimeException e) {
            fresh.forEach(Allocated::close);
            allocationError = e.getMessage();
            long n = allocationFailures.incrementAndGet();
            LOG.log(n <= 10 || Long.bitCount(n) == 1 ? System.Logger.Level.ERROR : System.Logger.Level.DEBUG,
                    "allocating G2/G3 for " + meta + " failed; pings stay unanswered: " + e.getMessage() + " (" + n + " failure(s))");
            synchronized (this) {
                allocationFailedFor = meta;
            }
            return;
        }
        lock.writeLock().lock();
        try {
            synchronized (this) {
                if (closed) {
                    fresh.forEach(Allocated::close);
                    return;
                }
                Allocated g1 = tiers.get(Tier.G1);
                tiers.values().stream().filter(a -> a.tier() != Tier.G1).forEach(Allocated::close);
                tiers.clear();
                tiers.put(Tier.G1, g1);
                fresh.forEach(a -> tiers.put(a.tier(), a));
                mover.close();
                mover = new LocalBlockMover(layouts(), registry);
                allocatedFor = meta;
                allocationFailedFor = null;
                allocationError = null;
                allocations.incrementAndGet();
            }
        } finally {
            lock.writeLock().unlock();
        }
        LOG.log(System.Logger.Level.INFO, "worker allocated G2 " + meta.numHostBlocks() + " blocks, G3 " + meta.numDiskBlocks() + " blocks");
    }

    private static int blocks(String field, long n) {
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw KvbmException.invalid(field, Long.toUnsignedString(n), "0.." + Integer.MAX_VALUE);
        }
        return (int) n;
    }

    /** Replicated mode's G2: rank 0 creates and publishes it, the other ranks wait for it and map it. */
    private Allocated shared(LayoutConfig config, LeaderMetadata meta) {
        BlockLayout layout = BlockLayout.of(config, LayoutType.FULLY_CONTIGUOUS);
        long size = layout.requiredAllocationSize();
        String name = spec.group() + "-g2";
        SharedHostRegion region;
        if (!spec.replicatedFollower()) {
            region = SharedHostRegion.create(spec.sharedDir(), name, size);
        } else {
            region = awaitRank0(meta, "G2 (" + name + ", " + size + " bytes)",
                    () -> SharedHostRegion.open(spec.sharedDir(), name, size));
        }
        OPEN_ALLOCATORS.incrementAndGet();
        return new Allocated(Tier.G2, new PhysicalLayout(layout, List.of(region)), null, region);
    }

    /**
     * Replicated mode's G3: rank 0 allocates its cache files through its disk tier and publishes them next to
     * its G2; the other ranks wait for them and open them read-only, so they read rank 0's blocks themselves
     * through their own disk engine. They never write them: offloads to G3 are rank 0's.
     */
    private Allocated sharedDisk(LayoutConfig config, LeaderMetadata meta) {
        String name = spec.group() + "-g3";
        if (!spec.replicatedFollower()) {
            Allocated files = allocate(Tier.G3, config, LayoutType.FULLY_CONTIGUOUS);
            try {
                SharedDiskFiles published = SharedDiskFiles.publish(spec.sharedDir(), name, files.layout().storages());
                return new Allocated(Tier.G3, files.layout(), files.allocator(), null, published);
            } catch (RuntimeException e) {
                files.close();
                throw e;
            }
        }
        BlockLayout layout = BlockLayout.of(config, LayoutType.FULLY_CONTIGUOUS);
        int count = layout.numStorageRegions();
        long size = layout.requiredAllocationSize();
        SharedDiskFiles files = awaitRank0(meta, "G3 files (" + name + ", " + count + " x " + size + " bytes)",
                () -> SharedDiskFiles.open(spec.sharedDir(), name, count, size));
        OPEN_ALLOCATORS.incrementAndGet();
        return new Allocated(Tier.G3, new PhysicalLayout(layout, files.storages()), null, null, files);
    }

    /** A follower polls for what rank 0 publishes, for as long as {@code meta} is still wanted (120 s at most). */
    private <T> T awaitRank0(LeaderMetadata meta, String what, java.util.function.Supplier<java.util.Optional<T>> open) {
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        java.util.Optional<T> found = open.get();
        while (found.isEmpty()) {
            synchronized (this) {
                if (closed || !meta.equals(wanted)) {
                    throw new KvbmException(ErrorCode.INVALID_STATE, "allocation superseded");
                }
            }
            if (System.nanoTime() > end) {
                throw new KvbmException(ErrorCode.TIMEOUT, "rank 0 did not publish its " + what + " under "
                        + spec.sharedDir() + " within 120 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KvbmException(ErrorCode.INVALID_STATE, "interrupted waiting for rank 0's " + what);
            }
            found = open.get();
        }
        return found.get();
    }

    private Allocated allocate(Tier tier, LayoutConfig config, LayoutType type) {
        TierProvider provider = registry.bestTier(tier).orElseThrow(() -> new KvbmException(ErrorCode.PROVIDER_NOT_FOUND,
                "no available provider serves " + tier + " on this worker; kvbm tiers lists what was found"));
        BlockLayout layout = BlockLayout.of(config, type);
        StorageAllocator allocator = provider.createAllocator(new TierConfig(tier, config, type, spec.tierOptions()));
        List<Storage> storages = new ArrayList<>();
        try {
            for (int i = 0; i < layout.numStorageRegions(); i++) {
                storages.add(allocator.allocate(layout.requiredAllocationSize(), 4096));
            }
            Allocated a = new Allocated(tier, new PhysicalLayout(layout, storages), allocator, null);
            OPEN_ALLOCATORS.incrementAndGet();
            return a;
        } catch (RuntimeException e) {
            storages.forEach(Storage::close);
            allocator.close();
            throw e;
        }
    }

    private Map<Tier, PhysicalLayout> layouts() {
        Map<Tier, PhysicalLayout> m = new EnumMap<>(Tier.class);
        tiers.forEach((t, a) -> m.put(t, a.layout()));
        return m;
    }

    private TransferOutcome transfer(WorkerMessage m) {
        BlockTransferRequest request;
        try {
            if (m.data().size() != 1) {
                throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "Block transfer request must have exactly one data "
                        + "element (got " + m.data().size() + ")");
            }
            request = BlockTransferRequest.decode(m.data().getFirst());
        } catch (KvbmException e) {
            badRequests.incrementAndGet();
            return TransferOutcome.failure(e.getMessage());
        }
        if (!ready) {
            return TransferOutcome.failure("transfer handler not ready yet");
        }
        lock.readLock().lock();
        try {
            if (spec.replicatedFollower()) {
                Tier t = request.toPool().tier();
                if (t == Tier.G2 || t == Tier.G3) {
                    return TransferOutcome.success(); // replicated: rank 0 writes the one copy of G2/G3
                }
                Allocated g3 = tiers.get(Tier.G3);
                if (request.fromPool().tier() == Tier.G3 && g3 != null) {
                    String stale = g3.disk().stale();
                    if (stale != null) {
                        return TransferOutcome.failure("replicated mode: G3 -> " + t + " on rank " + spec.rank().getAsInt()
                                + " refused: " + stale);
                    }
                }
                Allocated g2 = tiers.get(Tier.G2);
                if (request.fromPool().tier() == Tier.G2 && (g2 == null || !g2.shared().owner().alive())) {
                    return TransferOutcome.failure("replicated mode: rank 0, which owns G2, is gone");
                }
            }
            Allocated from = tiers.get(request.fromPool().tier());
            Allocated to = tiers.get(request.toPool().tier());
            if (from == null || to == null) {
                return TransferOutcome.failure("pool " + (from == null ? request.fromPool() : request.toPool())
                        + " is not allocated on this worker");
            }
            String range = checkRange(request.blocks(), from, to);
            if (range != null) {
                badRequests.incrementAndGet();
                return TransferOutcome.failure(range);
            }
            if (request.blocks().isEmpty()) {
                return TransferOutcome.success();
            }
            mover.move(from.tier(), to.tier(), request.blocks()).get(spec.transferTimeout().toNanos(), TimeUnit.NANOSECONDS);
            return TransferOutcome.success();
        } catch (ExecutionException e) {
            return TransferOutcome.failure(String.valueOf(e.getCause().getMessage()));
        } catch (TimeoutException e) {
            return TransferOutcome.failure("copy did not finish within " + spec.transferTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return TransferOutcome.failure("worker shutting down");
        } catch (RuntimeException e) {
            return TransferOutcome.failure(String.valueOf(e.getMessage()));
        } finally {
            lock.readLock().unlock();
        }
    }

    private static String checkRange(List<BlockPair> pairs, Allocated from, Allocated to) {
        int fromBlocks = from.layout().layout().config().numBlocks();
        int toBlocks = to.layout().layout().config().numBlocks();
        for (int i = 0; i < pairs.size(); i++) {
            BlockPair p = pairs.get(i);
            if (p.source() >= fromBlocks) {
                return "blocks[" + i + "][0] = " + p.source() + " is out of range 0.." + (fromBlocks - 1) + " of " + from.tier();
            }
            if (p.target() >= toBlocks) {
                return "blocks[" + i + "][1] = " + p.target() + " is out of range 0.." + (toBlocks - 1) + " of " + to.tier();
            }
        }
        return null;
    }

    private record DebugRequest(Tier tier, List<Integer> blocks, long seed) {
    }

    private DebugRequest debugRequest(WorkerMessage m) {
        if (m.data().size() != 1) {
            throw new KvbmException(ErrorCode.PROTOCOL_ERROR, m.function() + " must have exactly one data frame");
        }
        if (!(PayloadJson.parse(BlockTransferRequest.utf8(m.function(), m.data().getFirst())) instanceof Map<?, ?> map)) {
            throw new KvbmException(ErrorCode.PROTOCOL_ERROR, m.function() + " must be a JSON object");
        }
        Tier tier = BlockTransferPool.parse("pool", map.get("pool")).tier();
        if (!(map.get("blocks") instanceof List<?> list)) {
            throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "blocks must be an array of block indices");
        }
        List<Integer> blocks = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof PayloadJson.Num n)) {
                throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "blocks must hold block indices");
            }
            blocks.add(n.nonNegativeInt("blocks"));
        }
        long seed = map.get("seed") instanceof PayloadJson.Num n ? Long.parseLong(n.text()) : 0;
        return new DebugRequest(tier, blocks, seed);
    }

    private PhysicalLayout debugLayout(DebugRequest r) {
        Allocated a = tiers.get(r.tier());
        if (a == null || !BlockBytes.hostAddressable(a.layout())) {
            throw new KvbmException(ErrorCode.INVALID_ARGUMENT, r.tier() + " is not allocated or not host-addressable here");
        }
        for (int b : r.blocks()) {
            a.layout().layout().checkIndices(b, 0, 0);
        }
        return a.layout();
    }

    private Answer fill(WorkerMessage m) {
        DebugRequest r = debugRequest(m);
        lock.readLock().lock();
        try {
            PhysicalLayout layout = debugLayout(r);
            for (int b : r.blocks()) {
                long word = (r.seed() * 0x9E3779B97F4A7C15L) ^ (b * 0xC2B2AE3D27D4EB4FL);
                for (MemorySegment page : BlockBytes.segments(layout, b)) {
                    for (long off = 0; off + 8 <= page.byteSize(); off += 8) {
                        page.set(ValueLayout.JAVA_LONG_UNALIGNED, off, word + off);
                    }
                }
            }
            return new Answer.Ack();
        } finally {
            lock.readLock().unlock();
        }
    }

    private Answer checksums(WorkerMessage m) {
        DebugRequest r = debugRequest(m);
        lock.readLock().lock();
        try {
            PhysicalLayout layout = debugLayout(r);
            List<Object> sums = new ArrayList<>();
            for (int b : r.blocks()) {
                CRC32C crc = new CRC32C();
                for (MemorySegment page : BlockBytes.segments(layout, b)) {
                    crc.update(page.asByteBuffer());
                }
                sums.add(crc.getValue());
            }
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("crc32c", sums);
            return new Answer.Reply(PayloadJson.write(reply).getBytes(StandardCharsets.UTF_8));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            ready = false;
        }
        if (transport != null) {
            transport.close();
        }
        lock.writeLock().lock();
        try {
            mover.close();
            tiers.values().forEach(Allocated::close);
            tiers.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
