package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.LeaderMetadata;
import dev.kvbm.api.spi.LeaderTransport;
import dev.kvbm.api.spi.TransferOutcome;
import dev.kvbm.api.spi.TransferRequest;
import dev.kvbm.api.spi.WorkerReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The leader's transfers: one {@code transfer_blocks} broadcast per move, complete only when every distinct
 * worker answered that it succeeded (a plain ACK, as Dynamo's workers send, counts as success). Each G2/G3
 * block remembers the membership epoch that wrote it, so a block written before a worker restarted is refused
 * as a source. The outcome is evaluated on the transport's thread (cheap); the caller's dependents run on
 * {@code callbacks} ({@link CallbackFuture}).
 */
public final class LeaderTransfers {
    private final LeaderTransport transport;
    private final Membership membership;
    private final Duration timeout;
    private final Executor callbacks;
    private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<Tier, int[]> writtenEpoch = new EnumMap<>(Tier.class);
    /** How this codec encodes success: an answer with exactly these bytes needs no decoding. */
    private final byte[] ok;

    public LeaderTransfers(LeaderTransport transport, Membership membership, Duration timeout, Executor callbacks) {
        this.transport = transport;
        this.membership = membership;
        this.timeout = timeout;
        this.callbacks = callbacks;
        this.ok = transport.codec().encodeOutcome(TransferOutcome.success());
    }

    /** Sizes the epoch tables from the first handshake (before any move is served). */
    public void sized(LeaderMetadata m) {
        writtenEpoch.put(Tier.G2, new int[(int) Math.min(Integer.MAX_VALUE, m.numHostBlocks())]);
        writtenEpoch.put(Tier.G3, new int[(int) Math.min(Integer.MAX_VALUE, m.numDiskBlocks())]);
    }

    public CompletableFuture<Void> move(Tier source, Tier target, List<BlockPair> pairs) {
        if (!membership.isReady()) {
            return CompletableFuture.failedFuture(new KvbmException(ErrorCode.TRANSFER_FAILED, "leader not ready: "
                    + membership.notReadyReason()));
        }
        int startEpoch = membership.epoch();
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
            request = transport.codec().encodeTransfer(new TransferRequest(source, target, pairs));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CallbackFuture<Void> result = new CallbackFuture<>(callbacks);
        inFlight.add(result);
        transport.broadcast("transfer_blocks", List.of(request), timeout).whenComplete((replies, error) -> {
            KvbmException failure = error != null ? failed(error) : evaluate(replies, startEpoch);
            inFlight.remove(result); // before completing: a dependent never sees itself still in flight
            if (failure != null) {
                result.completeExceptionally(failure);
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

    /**
     * The first of {@code blocks} of {@code tier} that the current set of workers ({@code epoch}) did not write,
     * or -1 when they wrote them all (always for a tier not tracked here). For G4, which reads worker memory itself.
     */
    public int notWrittenIn(Tier tier, int[] blocks, int epoch) {
        int[] epochs = writtenEpoch.get(tier);
        if (epochs != null) {
            for (int b : blocks) {
                if (b >= epochs.length || epochs[b] != epoch) {
                    return b;
                }
            }
        }
        return -1;
    }

    /** Records that {@code epoch}'s workers wrote {@code blocks} of {@code tier} other than by a move (a G4 read). */
    public void written(Tier tier, int[] blocks, int epoch) {
        int[] epochs = writtenEpoch.get(tier);
        if (epochs != null) {
            for (int b : blocks) {
                if (b < epochs.length) {
                    epochs[b] = epoch;
                }
            }
        }
    }

    private static KvbmException failed(Throwable error) {
        Throwable c = error instanceof CompletionException ? error.getCause() : error;
        return new KvbmException(ErrorCode.TRANSFER_FAILED, "block transfer failed: " + c.getMessage(), c);
    }

    private KvbmException evaluate(List<WorkerReply> replies, int startEpoch) {
        List<String> failures = new ArrayList<>();
        for (WorkerReply r : replies) {
            if (r.payload().isEmpty()) {
                continue; // a plain ACK: how Dynamo's workers answer, success as far as they tell
            }
            if (java.util.Arrays.equals(r.payload().get(), ok)) {
                continue;
            }
            try {
                TransferOutcome o = transport.codec().decodeOutcome(r.payload().get());
                if (!o.ok()) {
                    failures.add(r.worker() + ": " + o.error().orElse("no error given"));
                }
            } catch (RuntimeException e) {
                failures.add(r.worker() + ": unparsable outcome: " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            return new KvbmException(ErrorCode.TRANSFER_FAILED, "block transfer failed on a worker: " + String.join("; ", failures));
        }
        if (membership.epoch() != startEpoch) {
            return new KvbmException(ErrorCode.TRANSFER_FAILED, "block transfer failed: the set of workers changed while it ran");
        }
        return null;
    }

    /** Fails every transfer in flight (a worker was lost, or the leader closes). */
    public void failAll(KvbmException why) {
        for (CompletableFuture<Void> f : inFlight) {
            inFlight.remove(f);
            f.completeExceptionally(why);
        }
    }
}
