package dev.kvbm.core.cluster;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.ClusterCodec;
import dev.kvbm.api.spi.TransferOutcome;
import dev.kvbm.api.spi.TransferRequest;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.api.spi.TransportProvider;
import dev.kvbm.api.spi.WorkerMessage;
import dev.kvbm.api.spi.WorkerMetadata;
import dev.kvbm.api.spi.WorkerTransport;
import dev.kvbm.api.spi.WorkerTransport.Answer;
import dev.kvbm.core.cluster.internal.CheckFunctions;
import dev.kvbm.core.cluster.internal.RemoteFrames;
import dev.kvbm.core.cluster.internal.WorkerRemote;
import dev.kvbm.core.cluster.internal.HeldTier;
import dev.kvbm.core.cluster.internal.TierAllocation;
import dev.kvbm.core.cluster.internal.WorkerTiers;
import dev.kvbm.core.cluster.internal.WorkerTransfers;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.remote.RemoteTierConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One worker of a distributed leader over any {@link WorkerTransport}: it owns the bytes of every tier for its
 * shard (G1 given at start, on the host when there is no GPU; G2 and G3 allocated once the leader's metadata
 * says how many blocks) and copies what the leader asks through its own transfer engines, answering each
 * {@code transfer_blocks} with a {@link TransferOutcome}.
 *
 * <p>Functions: {@code worker_metadata} (reply: {@link WorkerMetadata}), {@code leader_metadata} (ACK at once,
 * allocate in the background, single flight), {@code ping} (ACK only when ready), {@code transfer_blocks}
 * (reply: outcome). kvbm extensions for checks: {@code kvbm_fill} (ACK) and {@code kvbm_checksums} (reply:
 * one CRC32C per block). Messages are encoded by the transport's {@link ClusterCodec}.
 *
 * <p>{@link #handle} runs on the transport's receive thread: pings, metadata and copies between memory tiers (G1,
 * G2) are answered there, with no thread hand-off; copies that touch G3 or G4 and the check functions run on
 * their own virtual thread ({@link Answer.Later}), so disk or remote I/O never delays a ping or another copy.
 */
public final class Worker implements AutoCloseable {
    private final WorkerSpec spec;
    private final WorkerTransport transport;
    private final ClusterCodec codec;
    private final WorkerTiers tiers;
    private final TierAllocation allocation;
    private final WorkerTransfers transfers;
    private final CheckFunctions checks;
    private final AtomicLong badRequests = new AtomicLong();
    /** What this worker moved, per path ({@code G1->G2}, ...; every pair of tiers, from the start). */
    private final Map<String, PathStats> paths;
    private final TierHealth health = new TierHealth(TierHealth.DEFAULT_FAILURE_THRESHOLD, TierHealth.DEFAULT_COOL_DOWN,
            System::nanoTime);
    /** G4 of this worker's shard, or null. */
    private final WorkerRemote remote;
    /** The answer of every successful transfer, encoded once. */
    private final byte[] transferOk;
    private final ExecutorService slow = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("kvbm-worker-io-", 0).factory());

    private Worker(WorkerSpec spec, ProviderRegistry registry, WorkerTransport transport, ClusterCodec codec,
                   RemoteTierConfig g4) {
        this.spec = spec;
        this.transport = transport;
        this.codec = codec;
        this.tiers = new WorkerTiers(HeldTier.assemble(registry, Tier.G1, spec.g1(), spec.g1Layout(), spec.tierOptions()), registry);
        this.allocation = new TierAllocation(spec, registry, tiers);
        this.transfers = new WorkerTransfers(spec, tiers, allocation::ready);
        this.checks = new CheckFunctions(tiers);
        Map<String, PathStats> all = new LinkedHashMap<>();
        for (Tier from : Tier.values()) {
            for (Tier to : Tier.values()) {
                if (from != to) {
                    all.put(from + "->" + to, new PathStats(from + "->" + to));
                }
            }
        }
        this.paths = Collections.unmodifiableMap(all);
        try {
            this.remote = g4 == null ? null : new WorkerRemote(g4, spec, registry, tiers, paths, health);
        } catch (RuntimeException e) {
            tiers.close();
            throw e;
        }
        this.transferOk = codec.encodeOutcome(TransferOutcome.success());
    }

    /** Allocates G1 and starts answering the leader over the {@code zmq} transport. */
    public static Worker start(TransportConfig config, WorkerSpec spec, ProviderRegistry registry) {
        return start(registry, TransportProvider.ZMQ, config, spec);
    }

    /**
     * As {@link #start(TransportConfig, WorkerSpec, ProviderRegistry)}, with G4: the store of {@code g4} (its
     * rank names this worker's shard in the keys), written and read when the leader asks.
     */
    public static Worker start(TransportConfig config, WorkerSpec spec, ProviderRegistry registry, RemoteTierConfig g4) {
        return start(registry, TransportProvider.ZMQ, config, spec, g4);
    }

    /** Allocates G1 and starts answering the leader over the transport provider named {@code transportName}. */
    public static Worker start(ProviderRegistry registry, String transportName, TransportConfig config, WorkerSpec spec) {
        return start(registry, transportName, config, spec, null);
    }

    private static Worker start(ProviderRegistry registry, String transportName, TransportConfig config, WorkerSpec spec,
                                RemoteTierConfig g4) {
        WorkerTransport transport = registry.transport(transportName).openWorker(config);
        try {
            WorkerSpec named = spec.group().isEmpty()
                    ? spec.withGroup("kvbm-" + config.publishEndpoint().replaceAll("[^A-Za-z0-9]+", "_")) : spec;
            return start(transport, named, registry, g4);
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    /** Allocates G1 and starts answering over {@code transport}, which it then owns. */
    public static Worker start(WorkerTransport transport, WorkerSpec spec, ProviderRegistry registry) {
        return start(transport, spec, registry, null);
    }

    private static Worker start(WorkerTransport transport, WorkerSpec spec, ProviderRegistry registry, RemoteTierConfig g4) {
        Worker w = new Worker(spec, registry, transport, transport.codec(), g4);
        try {
            transport.start(w::handle);
        } catch (RuntimeException e) {
            w.closeRemote();
            w.tiers.close(); // G1 was allocated: freed, the transport stays the caller's to close
            throw e;
        }
        return w;
    }

    /** A worker with no transport, answering through {@link #handle}: for a transport's dispatcher tests. */
    public static Worker detached(WorkerSpec spec, ProviderRegistry registry, ClusterCodec codec) {
        return new Worker(spec, registry, null, codec, null);
    }

    public WorkerMetadata metadata() {
        return new WorkerMetadata(spec.g1().numBlocks(), spec.g1().blockDataBytes());
    }

    /** Whether G2/G3 are allocated and transfers are served. */
    public boolean isReady() {
        return allocation.ready();
    }

    /** Why the last allocation failed, or null. */
    public String allocationError() {
        return allocation.error();
    }

    /** Messages dropped as malformed (by the transport) plus requests answered with a protocol error. */
    public long malformedMessages() {
        return (transport == null ? 0 : transport.malformedMessages()) + badRequests.get();
    }

    /** How many times G2/G3 were allocated (once per distinct leader metadata). */
    public long allocations() {
        return allocation.allocations();
    }

    /** The tiers this worker holds now. */
    public Set<Tier> tiers() {
        return tiers.held();
    }

    /** Whether no allocation is running or wanted. */
    public boolean allocationIdle() {
        return allocation.idle();
    }

    /** Blocks, bytes, time and failures of what this worker moved, per path, every pair of tiers from the start. */
    public Map<String, PathStats> pathStats() {
        return paths;
    }

    /** G4's health on this worker (degraded after repeated store failures); the local tiers' state is {@link #tiers}. */
    public TierHealth health() {
        return health;
    }

    /** Whether this worker has G4. */
    public boolean hasRemote() {
        return remote != null;
    }

    /** The G1 geometry and blocks of this worker's shard. */
    public WorkerSpec spec() {
        return spec;
    }

    /** Blocks of each tier this worker holds now (G1 from the start, G2/G3 once allocated). */
    public Map<Tier, Integer> tierBlocks() {
        return tiers.read(v -> {
            Map<Tier, Integer> m = new java.util.EnumMap<>(Tier.class);
            for (Tier t : Tier.values()) {
                if (v.get(t) != null) {
                    m.put(t, v.get(t).layout().layout().config().numBlocks());
                }
            }
            return m;
        });
    }

    /** Tier allocations of all workers in this JVM not yet closed (for leak checks). */
    public static long openAllocations() {
        return HeldTier.open();
    }

    /** The worker's answer to one message; throws for what the dispatcher counts as malformed. */
    public Answer handle(WorkerMessage m) {
        return switch (m.function()) {
            case "worker_metadata" -> new Answer.Reply(codec.encodeWorkerMetadata(metadata()));
            case "leader_metadata" -> {
                allocation.want(codec.decodeLeaderMetadata(single(m)));
                yield new Answer.Ack();
            }
            case "ping" -> ping();
            case "transfer_blocks" -> transferAnswer(m);
            // G4 calls wait on the store: answered later, so they never hold up a ping or a memory copy
            case RemoteFrames.PUT, RemoteFrames.GET, RemoteFrames.CONTAINS -> later(() -> new Answer.Reply(
                    RemoteFrames.answer(remote == null
                            ? RemoteFrames.Answer.failure("this worker has no G4 (start it with --g4 URI)")
                            : remote.handle(m.function(), RemoteFrames.decodeRequest(m.function(), single(m))))));
            case "kvbm_fill" -> {
                var probe = codec.decodeProbe(m.function(), single(m));
                yield later(() -> {
                    checks.fill(probe);
                    return new Answer.Ack();
                });
            }
            case "kvbm_checksums" -> {
                var probe = codec.decodeProbe(m.function(), single(m));
                yield later(() -> new Answer.Reply(codec.encodeChecksums(checks.checksums(probe))));
            }
            default -> throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "unknown function '" + m.function() + "'");
        };
    }

    /**
     * Ready: ACK. Allocating: silent, so the leader asks again. Failed: the reason as the reply's payload, so the
     * leader can say why this worker will not become ready (a ready worker never sends one).
     */
    private Answer ping() {
        if (allocation.ready()) {
            return new Answer.Ack();
        }
        String error = allocation.error();
        return error == null || !allocation.idle() ? new Answer.Silent()
                : new Answer.Reply(("allocation failed: " + error).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static byte[] single(WorkerMessage m) {
        if (m.data().size() != 1) {
            throw new KvbmException(ErrorCode.PROTOCOL_ERROR, m.function() + " must have exactly one data frame (got "
                    + m.data().size() + ")");
        }
        return m.data().getFirst();
    }

    /** Runs {@code work} on its own virtual thread; the transport sends its answer when it is done. */
    private Answer later(Supplier<Answer> work) {
        return new Answer.Later(CompletableFuture.supplyAsync(work, slow));
    }

    /** A copy between memory tiers is answered at once on this thread; one that touches G3 or G4 later. */
    private Answer transferAnswer(WorkerMessage m) {
        TransferRequest request;
        try {
            if (m.data().size() != 1) {
                throw new KvbmException(ErrorCode.PROTOCOL_ERROR, "Block transfer request must have exactly one data "
                        + "element (got " + m.data().size() + ")");
            }
            request = codec.decodeTransfer(m.data().getFirst());
        } catch (KvbmException e) {
            badRequests.incrementAndGet();
            return new Answer.Reply(codec.encodeOutcome(TransferOutcome.failure(e.getMessage())));
        }
        if (inMemory(request.from()) && inMemory(request.to())) {
            return outcome(timedTransfer(request));
        }
        return later(() -> outcome(timedTransfer(request)));
    }

    /** Runs one transfer and counts it on its path. */
    private TransferOutcome timedTransfer(TransferRequest request) {
        PathStats stats = paths.get(request.from() + "->" + request.to());
        long start = stats == null ? 0 : stats.begin();
        TransferOutcome outcome = transfers.transfer(request, badRequests::incrementAndGet);
        if (stats != null) {
            int n = request.blocks().size();
            stats.end(start, n, n * spec.g1().blockDataBytes(), outcome.ok());
        }
        return outcome;
    }

    private Answer outcome(TransferOutcome o) {
        return new Answer.Reply(o.ok() ? transferOk : codec.encodeOutcome(o));
    }

    private static boolean inMemory(Tier t) {
        return t == Tier.G1 || t == Tier.G2;
    }

    /** Stops the transport, waits for a running allocation, and frees every tier. */
    @Override
    public void close() {
        allocation.close();
        if (transport != null) {
            transport.close();
        }
        slow.shutdownNow(); // a disk copy still running is interrupted and answers "worker shutting down"
        try {
            slow.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeRemote();
        tiers.close();
    }

    private void closeRemote() {
        if (remote != null) {
            remote.close();
        }
    }
}
