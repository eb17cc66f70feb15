package dev.kvbm.transport.zmq;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.LeaderTransport;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.api.spi.WorkerReply;
import dev.kvbm.core.transfer.BlockMover;
import dev.kvbm.transport.zmq.internal.ZmqLeaderTransport;
import dev.kvbm.transport.zmq.internal.ZmqTransportProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The leader of a distributed block manager: it runs Dynamo's handshake with {@code worldSize} workers and
 * then moves blocks by asking every worker to copy its shard, completing only when every distinct worker
 * answered that it succeeded. It implements {@link BlockMover}, so a {@code KvBlockManager} built with
 * {@code logical(leader)} keeps block ids, hashes and eviction here while the bytes live on the workers.
 *
 * <p>A transfer fails (and its targets are never registered) when any worker reports an error, stays
 * silent past the transfer timeout, or is found dead by the ping loop. After a worker is lost the leader
 * runs the handshake again until the workers are complete (a restarted worker rejoins); blocks of G2/G3
 * written before that are refused as sources, since the restarted worker lost them.
 */
public final class ZmqLeader implements BlockMover {
    private static final System.Logger LOG = System.getLogger(ZmqLeader.class.getName());
    private static final Duration ROUND = Duration.ofSeconds(2);
    private static final Duration PING_ROUND = Duration.ofMillis(500);

    /** G2/G3 sizes: a block count when above 0, else decimal GB over the summed bytes per block. */
    public record Sizing(long hostBlocks, double hostGb, long diskBlocks, double diskGb) {
        /** {@code DYN_KVBM_CPU_CACHE_GB}, {@code _OVERRIDE_NUM_BLOCKS} and the disk equivalents; unset or invalid is 0. */
        public static Sizing fromEnvironment(Map<String, String> env) {
            return new Sizing(count(env, ConfigKeys.CPU_CACHE_OVERRIDE_NUM_BLOCKS), gb(env, ConfigKeys.CPU_CACHE_GB),
                    count(env, ConfigKeys.DISK_CACHE_OVERRIDE_NUM_BLOCKS), gb(env, ConfigKeys.DISK_CACHE_GB));
        }

        public LeaderMetadata compute(long bytesPerBlock) {
            return new LeaderMetadata(blocks(hostBlocks, hostGb, bytesPerBlock), blocks(diskBlocks, diskGb, bytesPerBlock));
        }

        private static long blocks(long override, double gb, long bytesPerBlock) {
            return override > 0 ? override : bytesPerBlock <= 0 ? 0 : (long) Math.floor(gb * 1e9 / bytesPerBlock);
        }

        private static long count(Map<String, String> env, String key) {
            try {
                return Math.max(0, Long.parseLong(env.getOrDefault(key, "0").trim()));
            } catch (NumberFormatException e) {
                LOG.log(System.Logger.Level.WARNING, key + " must be a block count (got '" + env.get(key) + "'); using 0");
                return 0;
            }
        }

        private static double gb(Map<String, String> env, String key) {
            try {
                double v = Double.parseDouble(env.getOrDefault(key, "0").trim());
                return v >= 0 && Double.isFinite(v) ? v : 0;
            } catch (NumberFormatException e) {
                LOG.log(System.Logger.Level.WARNING, key + " must be decimal GB (got '" + env.get(key) + "'); using 0");
                return 0;
            }
        }
    }

    /** Timeouts and sizes. {@code pingInterval} is how often a ready leader checks its workers are alive. */
    public record Settings(Duration initTimeout, Duration transferTimeout, Duration pingInterval, Sizing sizing) {
        public Settings {
            for (Duration d : List.of(initTimeout, transferTimeout, pingInterval)) {
                if (d.isNegative() || d.isZero()) {
                    throw KvbmException.invalid("timeout", d, "a positive duration");
                }
            }
        }

        /** Init timeout from {@code DYN_KVBM_LEADER_WORKER_INIT_TIMEOUT_SECS} (default 120 s), 30 s per transfer. */
        public static Settings fromEnvironment(Map<String, String> env) {
            return new Settings(initTimeout(env), Duration.ofSeconds(30), Duration.ofSeconds(1), Sizing.fromEnvironment(env));
        }

        public static Duration initTimeout(Map<String, String> env) {
            String text = env.get(ConfigKeys.LEADER_WORKER_INIT_TIMEOUT_SECS);
            if (text == null || text.isBlank()) {
                return Duration.ofSeconds(120);
            }
            try {
                long s = Long.parseLong(text.trim());
                if (s >= 1) {
                    return Duration.ofSeconds(s);
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw KvbmException.invalid(ConfigKeys.LEADER_WORKER_INIT_TIMEOUT_SECS, text, "a whole number of seconds >= 1");
        }

        public Settings withSizing(Sizing s) {
            return new Settings(initTimeout, transferTimeout, pingInterval, s);
        }

        public Settings withTransferTimeout(Duration d) {
            return new Settings(initTimeout, d, pingInterval, sizing);
        }

        public Settings withPingInterval(Duration d) {
            return new Settings(initTimeout, transferTimeout, d, sizing);
        }
    }

    /** What the handshake established. */
    public record Ready(long numDeviceBlocks, long bytesPerBlock, long numHostBlocks, long numDiskBlocks,
                        Duration handshakeTime) {
    }

    private final LeaderTransport transport;
    private final Settings settings;
    private final CompletableFuture<Ready> first = new CompletableFuture<>();
    private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService heartbeat;
    private final Map<Tier, int[]> writtenEpoch = new EnumMap<>(Tier.class);
    private volatile Ready ready;
    private volatile boolean isReady;
    private volatile boolean closed;
    private volatile String notReadyReason = "handshake in progress";
    private volatile int epoch = 1;
    private boolean rejoining;
    private int failedPings;
    private volatile Set<String> members = Set.of();
    private volatile Set<String> lastHandshakeMembers = Set.of();

    private ZmqLeader(LeaderTransport transport, Settings settings) {
        Sizing z = settings.sizing();
        if (z.hostBlocks() <= 0 && z.hostGb() <= 0 && z.diskBlocks() <= 0 && z.diskGb() <= 0) {
            transport.close();
            // Dynamo's sanity check: a leader without G2 and G3 has nothing to offload to.
            throw KvbmException.invalid("numHostBlocks", 0, "> 0, or numDiskBlocks > 0 (set DYN_KVBM_CPU_CACHE_GB or "
                    + "DYN_KVBM_DISK_CACHE_GB, or their _OVERRIDE_NUM_BLOCKS, or --g2-blocks/--g2-gb/--g3-blocks/--g3-gb)");
        }
        this.transport = transport;
        this.settings = settings;
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("kvbm-leader-ping").unstarted(r));
        Thread.ofPlatform().daemon().name("kvbm-leader-handshake").start(() -> {
            try {
                Ready r = handshake();
                LeaderMetadata m = new LeaderMetadata(r.numHostBlocks(), r.numDiskBlocks());
                writtenEpoch.put(Tier.G2, new int[(int) Math.min(Integer.MAX_VALUE, m.numHostBlocks())]);
                writtenEpoch.put(Tier.G3, new int[(int) Math.min(Integer.MAX_VALUE, m.numDiskBlocks())]);
                ready = r;
                members = lastHandshakeMembers;
                isReady = true;
                first.complete(r);
                heartbeat.scheduleWithFixedDelay(this::checkAlive, settings.pingInterval().toMillis(),
                        settings.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                notReadyReason = e.getMessage();
                first.completeExceptionally(e);
            }
        });
    }

    /** Binds the ZeroMQ endpoints and starts the handshake in the background. */
    public static ZmqLeader start(TransportConfig config, Settings settings) {
        return new ZmqLeader(new ZmqTransportProvider().openLeader(config), settings);
    }

    /** Starts the handshake over any transport. */
    public static ZmqLeader over(LeaderTransport transport, Settings settings) {
        return new ZmqLeader(transport, settings);
    }

    /** The bound PUB endpoint (real port when bound to {@code *}), for workers to connect to. */
    public String publishEndpoint() {
        return transport instanceof ZmqLeaderTransport z ? z.publishEndpoint() : "";
    }

    public String ackEndpoint() {
        return transport instanceof ZmqLeaderTransport z ? z.ackEndpoint() : "";
    }

    public LeaderTransport transport() {
        return transport;
    }

    /** Waits for the first handshake; fails with its error (naming the stage that timed out). */
    public Ready awaitReady(Duration timeout) {
        try {
            return first.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KvbmException k ? k
                    : new KvbmException(ErrorCode.INVALID_STATE, "handshake failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KvbmException(ErrorCode.TIMEOUT, "the handshake did not finish within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvbmException(ErrorCode.INVALID_STATE, "interrupted waiting for the handshake");
        }
    }

    /** Whether transfers are served now (false during a handshake or a rejoin). */
    public boolean isReady() {
        return isReady;
    }

    /** Increases each time the set of workers changed (a worker restarted or reconnected). */
    public int epoch() {
        return epoch;
    }

    private Ready handshake() {
        long start = System.nanoTime();
        long deadline = start + settings.initTimeout().toNanos();
        List<WorkerReply> replies = rounds("worker_metadata", List.of(), ROUND, deadline,
                "Handshake timed out (device-config collection).");
        long minDevice = Long.MAX_VALUE;
        long bytes = 0;
        for (WorkerReply r : replies) {
            WorkerMetadata w = WorkerMetadata.decode(r.payload().orElseThrow(() -> new KvbmException(ErrorCode.PROTOCOL_ERROR,
                    "worker " + r.worker() + " answered worker_metadata without a payload")));
            minDevice = Math.min(minDevice, w.numDeviceBlocks());
            bytes = Math.addExact(bytes, w.bytesPerBlock());
        }
        lastHandshakeMembers = replies.stream().map(WorkerReply::worker).collect(java.util.stream.Collectors.toUnmodifiableSet());
        LeaderMetadata meta = settings.sizing().compute(bytes);
        if (meta.numHostBlocks() == 0 && meta.numDiskBlocks() == 0) {
            // Dynamo's sanity check: a leader without G2 and G3 has nothing to offload to.
            throw KvbmException.invalid("numHostBlocks", 0, "> 0, or numDiskBlocks > 0 (set DYN_KVBM_CPU_CACHE_GB "
                    + "or DYN_KVBM_DISK_CACHE_GB, or their _OVERRIDE_NUM_BLOCKS)");
        }
        rounds("leader_metadata", List.of(meta.encode()), ROUND, deadline, "Handshake timed out (allocation-config broadcast).");
        rounds("ping", List.of(), PING_ROUND, deadline, "Timed out waiting for ping readiness after handshake.");
        Ready r = new Ready(minDevice, bytes, meta.numHostBlocks(), meta.numDiskBlocks(), Duration.ofNanos(System.nanoTime() - start));
        LOG.log(System.Logger.Level.INFO, "handshake done with " + transport.worldSize() + " worker(s): " + r);
        return r;
    }

    /** Rebroadcasts {@code function} under a fresh id each round until every worker answered one round. */
    private List<WorkerReply> rounds(String function, List<byte[]> data, Duration round, long deadline, String timeoutMessage) {
        while (!closed) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new KvbmException(ErrorCode.TIMEOUT, timeoutMessage + " (" + transport.worldSize() + " worker(s) expected)");
            }
            Duration wait = Duration.ofNanos(Math.min(round.toNanos(), remaining));
            try {
                return awaitRound(transport.broadcast(function, data, wait));
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof KvbmException k && k.code() == ErrorCode.TIMEOUT)) {
                    throw e.getCause() instanceof RuntimeException re ? re : e;
                }
                LOG.log(System.Logger.Level.DEBUG, () -> function + " round: " + e.getCause().getMessage());
            }
        }
        throw new KvbmException(ErrorCode.INVALID_STATE, "leader closed during the handshake");
    }

    /**
     * The round's replies. When a worker subscribes while the round runs it has missed the message (PUB drops
     * what it sent before the subscription): the round is given up at once, and the caller sends a new one.
     */
    private List<WorkerReply> awaitRound(CompletableFuture<List<WorkerReply>> round) {
        if (!(transport instanceof ZmqLeaderTransport z)) {
            return round.join();
        }
        long seen = z.subscriptions();
        while (true) {
            try {
                return round.get(20, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (z.subscriptions() != seen) {
                    throw new CompletionException(new KvbmException(ErrorCode.TIMEOUT, "a worker subscribed during the round"));
                }
            } catch (ExecutionException e) {
                throw new CompletionException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(new KvbmException(ErrorCode.INVALID_STATE, "interrupted during the handshake"));
            }
        }
    }

    private void checkAlive() {
        if (!isReady || closed) {
            return;
        }
        String failure;
        try {
            transport.broadcast("ping", List.of(), settings.pingInterval().plus(PING_ROUND)).join();
            failedPings = 0;
            return;
        } catch (CompletionException e) {
            failure = "ping: " + e.getCause().getMessage();
        } catch (RuntimeException e) {
            failure = "ping: " + e.getMessage();
        }
        // Two silent rounds in a row: one late ping on a loaded machine is not a dead worker.
        if (++failedPings >= 2) {
            failedPings = 0;
            workerLost(failure);
        } else {
            LOG.log(System.Logger.Level.DEBUG, failure);
        }
    }

    private void workerLost(String reason) {
        synchronized (this) {
            if (!isReady || closed) {
                return;
            }
            isReady = false;
            notReadyReason = "a worker was lost (" + reason + "); waiting for it to rejoin";
            if (rejoining) {
                return;
            }
            rejoining = true;
        }
        LOG.log(System.Logger.Level.WARNING, notReadyReason);
        KvbmException lost = new KvbmException(ErrorCode.TRANSFER_FAILED, "block transfer failed: " + notReadyReason);
        for (CompletableFuture<Void> f : inFlight) {
            f.completeExceptionally(lost);
        }
        Thread.ofPlatform().daemon().name("kvbm-leader-rejoin").start(this::rejoin);
    }

    private void rejoin() {
        while (!closed) {
            try {
                Ready r = handshake();
                if (r.numDeviceBlocks() != ready.numDeviceBlocks() || r.bytesPerBlock() != ready.bytesPerBlock()) {
                    LOG.log(System.Logger.Level.ERROR, "the workers rejoined with a different geometry (" + r
                            + " instead of " + ready + "); the leader stays unavailable");
                    notReadyReason = "workers rejoined with a different geometry";
                    synchronized (this) {
                        rejoining = false;
                    }
                    return;
                }
                boolean same = lastHandshakeMembers.equals(members);
                synchronized (this) {
                    if (!same) {
                        // A worker on a new connection is a restarted one (or one that reconnected): it may hold
                        // none of the blocks written so far, so they are no longer served.
                        epoch++;
                        members = lastHandshakeMembers;
                    }
                    rejoining = false;
                    isReady = true;
                }
                LOG.log(System.Logger.Level.WARNING, same ? "all workers answered again on their old connections; "
                        + "their blocks are kept" : "all workers are back (epoch " + epoch + "); G2/G3 blocks written "
                        + "before are no longer served");
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "rejoin handshake failed, retrying: " + e.getMessage());
            }
        }
    }

    /** Sends any function to every worker (kvbm's check functions, for example) and collects their replies. */
    public CompletableFuture<List<WorkerReply>> call(String function, List<byte[]> data, Duration timeout) {
        return transport.broadcast(function, data, timeout);
    }

    @Override
    public CompletableFuture<Void> move(Tier source, Tier target, List<BlockPair> pairs) {
        if (!isReady) {
            return CompletableFuture.failedFuture(new KvbmException(ErrorCode.TRANSFER_FAILED, "ZMQ leader not ready: "
                    + notReadyReason));
        }
        int startEpoch = epoch;
        int[] sourceEpochs = writtenEpoch.get(source);
        if (sourceEpochs != null) {
            for (BlockPair p : pairs) {
                if (p.source() >= sourceEpochs.length || sourceEpochs[p.source()] != startEpoch) {
                    return CompletableFuture.failedFuture(new KvbmException(ErrorCode.TRANSFER_FAILED, "block "
                            + p.source() + " of " + source + " was not written by the current set of workers (epoch "
                            + startEpoch + "); a restarted worker does not hold it"));
                }
            }
        }
        byte[] request;
        try {
            request = new BlockTransferRequest(BlockTransferPool.of(source), BlockTransferPool.of(target), pairs).encode();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        inFlight.add(result);
        result.whenComplete((v, e) -> inFlight.remove(result));
        transport.broadcast("transfer_blocks", List.of(request), settings.transferTimeout()).whenComplete((replies, error) -> {
            if (error != null) {
                Throwable c = error instanceof CompletionException ? error.getCause() : error;
                result.completeExceptionally(new KvbmException(ErrorCode.TRANSFER_FAILED, "block transfer failed: "
                        + c.getMessage(), c));
                return;
            }
            List<String> failures = new ArrayList<>();
            for (WorkerReply r : replies) {
                if (r.payload().isEmpty()) {
                    continue; // a plain ACK: how Dynamo's workers answer, success as far as they tell
                }
                try {
                    TransferOutcome o = TransferOutcome.decode(r.payload().get());
                    if (!o.ok()) {
                        failures.add(r.worker() + ": " + o.error().orElse("no error given"));
                    }
                } catch (RuntimeException e) {
                    failures.add(r.worker() + ": unparsable outcome: " + e.getMessage());
                }
            }
            if (!failures.isEmpty()) {
                result.completeExceptionally(new KvbmException(ErrorCode.TRANSFER_FAILED,
                        "block transfer failed on a worker: " + String.join("; ", failures)));
                return;
            }
            if (epoch != startEpoch) {
                result.completeExceptionally(new KvbmException(ErrorCode.TRANSFER_FAILED,
                        "block transfer failed: the set of workers changed while it ran"));
                return;
            }
            int[] targets = writtenEpoch.get(target);
            if (targets != null) {
                for (BlockPair p : pairs) {
                    if (p.target() < targets.length) {
                        targets[p.target()] = startEpoch;
                    }
                }
            }
            result.complete(null);
        });
        return result;
    }

    @Override
    public Optional<PhysicalLayout> layout(Tier tier) {
        return Optional.empty();
    }

    @Override
    public void checkPath(Tier source, Tier target) {
        Ready r = ready;
        if (r == null) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the leader's handshake is not done; call awaitReady first");
        }
        for (Tier t : List.of(source, target)) {
            long blocks = switch (t) {
                case G1 -> r.numDeviceBlocks();
                case G2 -> r.numHostBlocks();
                case G3 -> r.numDiskBlocks();
                case G4 -> 0;
            };
            if (blocks == 0) {
                throw new KvbmException(ErrorCode.INVALID_ARGUMENT, t + " has no blocks on the workers (leader metadata " + r + ")");
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        isReady = false;
        heartbeat.shutdownNow();
        KvbmException gone = new KvbmException(ErrorCode.TRANSFER_FAILED, "leader closed");
        inFlight.forEach(f -> f.completeExceptionally(gone));
        transport.close();
    }
}
