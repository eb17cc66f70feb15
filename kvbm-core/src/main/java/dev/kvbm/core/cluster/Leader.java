package dev.kvbm.core.cluster;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.LeaderTransport;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.api.spi.TransportProvider;
import dev.kvbm.api.spi.WorkerReply;
import dev.kvbm.core.cluster.internal.CallbackFuture;
import dev.kvbm.core.cluster.internal.ClusterBlockIo;
import dev.kvbm.core.cluster.internal.Handshake;
import dev.kvbm.core.cluster.internal.LeaderTransfers;
import dev.kvbm.core.cluster.internal.Membership;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.remote.RemoteBlockIo;
import dev.kvbm.core.remote.RemoteTierConfig;
import dev.kvbm.core.transfer.BlockMover;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The leader of a distributed block manager over any {@link LeaderTransport}: it runs Dynamo's handshake
 * with {@code worldSize} workers and then moves blocks by asking every worker to copy its shard, completing
 * only when every distinct worker answered that it succeeded. It implements {@link BlockMover}, so a
 * {@code KvBlockManager} built with {@code logical(leader)} keeps block ids, hashes and eviction here while
 * the bytes live on the workers.
 *
 * <p>A transfer fails (and its targets are never registered) when any worker reports an error, stays
 * silent past the transfer timeout, or is found dead by the ping loop. After a worker is lost the leader
 * runs the handshake again until the workers are complete (a restarted worker rejoins); blocks of G2/G3
 * written before that are refused as sources, since the restarted worker lost them.
 *
 * <p>Nothing runs until {@link #start()}; {@link #close()} stops and joins every thread the leader started.
 * Dependents of a transfer's future never run on the transport's receive thread.
 */
public final class Leader implements BlockMover {
    private final LeaderTransport transport;
    private final LeaderSettings settings;
    private final Handshake handshake;
    private final Membership membership;
    private final LeaderTransfers transfers;
    private final ExecutorService callbacks = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("kvbm-leader-callback-", 0).factory());
    private final CompletableFuture<ClusterReady> first = new CompletableFuture<>();
    private volatile boolean closed;
    private Thread handshakeThread;

    private Leader(LeaderTransport transport, LeaderSettings settings) {
        if (settings.sizing().empty()) {
            transport.close();
            // Dynamo's sanity check: a leader without G2 and G3 has nothing to offload to.
            throw KvbmException.invalid("numHostBlocks", 0, "> 0, or numDiskBlocks > 0 (set DYN_KVBM_CPU_CACHE_GB or "
                    + "DYN_KVBM_DISK_CACHE_GB, or their _OVERRIDE_NUM_BLOCKS, or --g2-blocks/--g2-gb/--g3-blocks/--g3-gb)");
        }
        this.transport = transport;
        this.settings = settings;
        this.handshake = new Handshake(transport, settings.sizing(), settings.initTimeout(), this::isClosed);
        this.membership = new Membership(transport, handshake, settings.pingInterval(), this::isClosed,
                reason -> failTransfers("block transfer failed: " + reason));
        this.transfers = new LeaderTransfers(transport, membership, settings.transferTimeout(), callbacks);
    }

    /** A leader over {@code transport}, not started; it owns (and closes) the transport. */
    public static Leader over(LeaderTransport transport, LeaderSettings settings) {
        return new Leader(transport, settings);
    }

    /** Binds the endpoints of the transport provider named {@code transportName}; not started. */
    public static Leader open(ProviderRegistry registry, String transportName, TransportConfig config, LeaderSettings settings) {
        return over(registry.transport(transportName).openLeader(config), settings);
    }

    /** Binds the {@code zmq} transport's endpoints (Dynamo's wire protocol) and starts the handshake. */
    public static Leader start(TransportConfig config, LeaderSettings settings, ProviderRegistry registry) {
        return open(registry, TransportProvider.ZMQ, config, settings).start();
    }

    /** Starts the handshake in the background (once); {@link #awaitReady} waits for it. */
    public synchronized Leader start() {
        if (closed) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the leader is closed");
        }
        if (handshakeThread == null) {
            handshakeThread = Thread.ofPlatform().daemon().name("kvbm-leader-handshake").start(this::firstHandshake);
        }
        return this;
    }

    private void firstHandshake() {
        try {
            Handshake.Result r = handshake.run();
            transfers.sized(r.metadata());
            membership.joined(r);
            first.complete(r.ready());
        } catch (RuntimeException e) {
            membership.failed(e.getMessage());
            first.completeExceptionally(e);
        }
    }

    private boolean isClosed() {
        return closed;
    }

    /** The bound publish endpoint (real port when bound to a wildcard), for workers to connect to. */
    public String publishEndpoint() {
        return transport.publishEndpoint();
    }

    public String ackEndpoint() {
        return transport.ackEndpoint();
    }

    public LeaderTransport transport() {
        return transport;
    }

    /** Waits for the first handshake; fails with its error (naming the stage that timed out). */
    public ClusterReady awaitReady(Duration timeout) {
        try {
            return first.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KvbmException k ? k
                    : new KvbmException(ErrorCode.INVALID_STATE, "handshake failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KvbmException(ErrorCode.TIMEOUT, "the handshake did not finish within " + timeout.toMillis() + " ms"
                    + (handshakeThread == null ? " (the leader was never started)" : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvbmException(ErrorCode.INVALID_STATE, "interrupted waiting for the handshake");
        }
    }

    /** Whether transfers are served now (false during a handshake or a rejoin). */
    public boolean isReady() {
        return membership.isReady() && !closed;
    }

    /** Increases each time the set of workers changed (a worker restarted or reconnected). */
    public int epoch() {
        return membership.epoch();
    }

    /**
     * Sends any function to every worker (kvbm's check functions, for example) and collects their replies; as for
     * transfers, dependents of the future never run on the transport's thread.
     */
    public CompletableFuture<List<WorkerReply>> call(String function, List<byte[]> data, Duration timeout) {
        CallbackFuture<List<WorkerReply>> result = new CallbackFuture<>(callbacks);
        transport.broadcast(function, data, timeout).whenComplete((replies, error) -> {
            if (error != null) {
                result.completeExceptionally(error instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                        ? c.getCause() : error);
            } else {
                result.complete(replies);
            }
        });
        return result;
    }

    @Override
    public CompletableFuture<Void> move(Tier source, Tier target, List<BlockPair> pairs) {
        if (closed) {
            return CompletableFuture.failedFuture(new KvbmException(ErrorCode.TRANSFER_FAILED, "leader closed"));
        }
        return transfers.move(source, target, pairs);
    }

    /**
     * G4 on the workers: each moves its shard with the store it opened ({@code kvbm worker --g4}); fails now,
     * naming them, when a worker has none.
     */
    @Override
    public Optional<RemoteBlockIo> remote(RemoteTierConfig config, Tier source, Tier landing) {
        Duration timeout = config.timeout().multipliedBy(2);
        java.util.function.BiFunction<String, byte[], CompletableFuture<List<WorkerReply>>> send =
                (function, frame) -> call(function, List.of(frame), timeout);
        ClusterBlockIo.checkWorkers(send, timeout.plusSeconds(5));
        ClusterBlockIo.Written written = new ClusterBlockIo.Written() {
            @Override
            public int notWrittenIn(Tier tier, int[] blocks, int epoch) {
                return transfers.notWrittenIn(tier, blocks, epoch);
            }

            @Override
            public void written(Tier tier, int[] blocks, int epoch) {
                transfers.written(tier, blocks, epoch);
            }
        };
        return Optional.of(new ClusterBlockIo(send, written, membership::epoch, source, landing, "the workers' G4 (" + config.uri().getScheme()
                + ", " + transport.worldSize() + " shard(s))"));
    }

    @Override
    public Optional<PhysicalLayout> layout(Tier tier) {
        return Optional.empty();
    }

    @Override
    public void checkPath(Tier source, Tier target) {
        ClusterReady r = membership.ready();
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

    private void failTransfers(String why) {
        transfers.failAll(new KvbmException(ErrorCode.TRANSFER_FAILED, why));
    }

    /** Whether every thread the leader started has ended (after {@link #close()}). */
    public boolean terminated() {
        Thread t;
        synchronized (this) {
            t = handshakeThread;
        }
        return membership.terminated() && (t == null || !t.isAlive()) && callbacks.isTerminated();
    }

    /**
     * Fails what is in flight, closes the transport (which ends any handshake round at once) and joins the
     * handshake, ping and rejoin threads.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = handshakeThread;
        }
        failTransfers("leader closed");
        transport.close();
        membership.close();
        try {
            if (t != null) {
                t.join(5000);
            }
            callbacks.shutdown();
            callbacks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        first.completeExceptionally(new KvbmException(ErrorCode.INVALID_STATE, "leader closed"));
    }
}
