package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.LeaderMetadata;
import dev.kvbm.api.spi.LeaderTransport;
import dev.kvbm.api.spi.WorkerMetadata;
import dev.kvbm.api.spi.WorkerReply;
import dev.kvbm.core.cluster.ClusterReady;
import dev.kvbm.core.cluster.Sizing;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Dynamo's handshake: {@code worker_metadata} until every worker answered one round, then
 * {@code leader_metadata} (the G2/G3 sizes), then {@code ping} until every worker is ready. Each round is
 * rebroadcast under a fresh id until one completes or the init timeout passes.
 */
public final class Handshake {
    private static final System.Logger LOG = System.getLogger(Handshake.class.getName());
    static final Duration ROUND = Duration.ofSeconds(2);
    static final Duration PING_ROUND = Duration.ofMillis(500);

    /** What one handshake found: the sizes, and the workers (as the transport names them) that took part. */
    public record Result(ClusterReady ready, LeaderMetadata metadata, Set<String> members) {
    }

    private final LeaderTransport transport;
    private final Sizing sizing;
    private final Duration initTimeout;
    private final BooleanSupplier closed;

    public Handshake(LeaderTransport transport, Sizing sizing, Duration initTimeout, BooleanSupplier closed) {
        this.transport = transport;
        this.sizing = sizing;
        this.initTimeout = initTimeout;
        this.closed = closed;
    }

    public Result run() {
        long start = System.nanoTime();
        long deadline = start + initTimeout.toNanos();
        List<WorkerReply> replies = rounds("worker_metadata", List.of(), ROUND, deadline,
                "Handshake timed out (device-config collection).");
        long minDevice = Long.MAX_VALUE;
        long bytes = 0;
        for (WorkerReply r : replies) {
            WorkerMetadata w = transport.codec().decodeWorkerMetadata(r.payload().orElseThrow(() ->
                    new KvbmException(ErrorCode.PROTOCOL_ERROR, "worker " + r.worker() + " answered worker_metadata without a payload")));
            minDevice = Math.min(minDevice, w.numDeviceBlocks());
            bytes = Math.addExact(bytes, w.bytesPerBlock());
        }
        Set<String> members = replies.stream().map(WorkerReply::worker).collect(Collectors.toUnmodifiableSet());
        LeaderMetadata meta = sizing.compute(bytes);
        if (meta.numHostBlocks() == 0 && meta.numDiskBlocks() == 0) {
            // Dynamo's sanity check: a leader without G2 and G3 has nothing to offload to.
            throw KvbmException.invalid("numHostBlocks", 0, "> 0, or numDiskBlocks > 0 (set DYN_KVBM_CPU_CACHE_GB "
                    + "or DYN_KVBM_DISK_CACHE_GB, or their _OVERRIDE_NUM_BLOCKS)");
        }
        rounds("leader_metadata", List.of(transport.codec().encodeLeaderMetadata(meta)), ROUND, deadline,
                "Handshake timed out (allocation-config broadcast).");
        List<WorkerReply> pings = rounds("ping", List.of(), PING_ROUND, deadline,
                "Timed out waiting for ping readiness after handshake.");
        failIfNotReady(pings, meta);
        ClusterReady r = new ClusterReady(minDevice, bytes, meta.numHostBlocks(), meta.numDiskBlocks(),
                Duration.ofNanos(System.nanoTime() - start));
        LOG.log(System.Logger.Level.INFO, "handshake done with " + transport.worldSize() + " worker(s): " + r);
        return new Result(r, meta, members);
    }

    /** A ready worker ACKs a ping; one whose G2/G3 allocation failed answers with the reason, given here. */
    private static void failIfNotReady(List<WorkerReply> pings, LeaderMetadata meta) {
        List<String> failed = pings.stream().filter(r -> r.payload().isPresent())
                .map(r -> "worker " + r.worker() + ": " + new String(r.payload().get(), StandardCharsets.UTF_8)).toList();
        if (!failed.isEmpty()) {
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "a worker cannot hold G2 " + meta.numHostBlocks()
                    + " blocks, G3 " + meta.numDiskBlocks() + " blocks: " + String.join("; ", failed));
        }
    }

    /** Rebroadcasts {@code function} under a fresh id each round until every worker answered one round. */
    private List<WorkerReply> rounds(String function, List<byte[]> data, Duration round, long deadline, String timeoutMessage) {
        while (!closed.getAsBoolean()) {
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
     * The round's replies. When a worker subscribes while the round runs it may have missed the message (a
     * ZeroMQ PUB drops what it sent before the subscription): the round is given up at once, and the caller
     * sends a new one.
     */
    private List<WorkerReply> awaitRound(CompletableFuture<List<WorkerReply>> round) {
        long seen = transport.subscriptions();
        while (true) {
            try {
                return round.get(20, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (transport.subscriptions() != seen) {
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
}
