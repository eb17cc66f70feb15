package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.RemoteStoreCounters;
import dev.kvbm.api.spi.RemoteStoreStats;
import dev.kvbm.api.spi.WorkerReply;
import dev.kvbm.core.remote.RemoteBlockIo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.IntSupplier;

/**
 * A distributed leader's G4: each batch is one message to every worker, which moves its shard of the blocks
 * with its own store. A block is written when any shard was, a hit only when every shard's bytes arrived, and
 * present only when every shard holds it; any worker's failure fails the whole batch.
 */
public final class ClusterBlockIo implements RemoteBlockIo {
    /** Which blocks of a tier the workers of an epoch wrote (the leader's transfers keep it). */
    public interface Written {
        /** The first of {@code blocks} that {@code epoch}'s workers did not write, or -1. */
        int notWrittenIn(Tier tier, int[] blocks, int epoch);

        /** Records that {@code epoch}'s workers wrote {@code blocks}. */
        void written(Tier tier, int[] blocks, int epoch);
    }

    private final BiFunction<String, byte[], CompletableFuture<List<WorkerReply>>> call;
    private final Written transfers;
    private final IntSupplier epoch;
    private final Tier source;
    private final Tier landing;
    private final String description;
    private final RemoteStoreCounters counters = new RemoteStoreCounters();

    /**
     * @param call      sends a function with one data frame to every worker (the leader's {@code call} with a
     *                  timeout) and completes with their replies
     * @param transfers which blocks the current set of workers wrote ({@code epoch}): only those are written to
     *                  G4 (a restarted worker's memory holds none), and what G4 reads counts as written
     */
    public ClusterBlockIo(BiFunction<String, byte[], CompletableFuture<List<WorkerReply>>> call, Written transfers,
                          IntSupplier epoch, Tier source, Tier landing, String description) {
        this.call = call;
        this.transfers = transfers;
        this.epoch = epoch;
        this.source = source;
        this.landing = landing;
        this.description = description;
    }

    /** Asks every worker whether it has G4; fails naming those that have none (or cannot answer in {@code timeout}). */
    public static void checkWorkers(BiFunction<String, byte[], CompletableFuture<List<WorkerReply>>> call, Duration timeout) {
        List<WorkerReply> replies;
        try {
            replies = call.apply(RemoteFrames.CONTAINS, RemoteFrames.request(null, new long[0], null))
                    .get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            throw new KvbmException(ErrorCode.INVALID_CONFIG, "G4: the workers did not answer whether they have G4: "
                    + WorkerRemote.rootMessage(e), e);
        }
        List<String> without = new ArrayList<>();
        for (WorkerReply r : replies) {
            RemoteFrames.Answer a = RemoteFrames.decodeAnswer(RemoteFrames.CONTAINS, r.payload().orElse(new byte[] {1}));
            if (!a.ok()) {
                without.add(r.worker() + " (" + a.error() + ")");
            }
        }
        if (!without.isEmpty()) {
            throw new KvbmException(ErrorCode.INVALID_CONFIG, "G4 on a leader needs it on every worker (kvbm worker --g4 "
                    + "URI); not on: " + String.join(", ", without));
        }
    }

    @Override
    public List<CompletableFuture<Boolean>> put(long[] sequenceHashes, int[] sourceBlocks) {
        int stale = transfers.notWrittenIn(source, sourceBlocks, epoch.getAsInt());
        if (stale >= 0) {
            return perBlock(CompletableFuture.failedFuture(new KvbmException(ErrorCode.TRANSFER_FAILED, "block " + stale
                    + " of " + source + " was not written by the current set of workers; a restarted worker does not "
                    + "hold it")), sequenceHashes.length);
        }
        CompletableFuture<boolean[]> all = send(RemoteFrames.PUT, RemoteFrames.request(source, sequenceHashes, sourceBlocks),
                sequenceHashes.length, true).whenComplete((r, e) -> {
                    if (r != null) {
                        for (boolean written : r) {
                            counters.put(written);
                        }
                    }
                });
        return perBlock(all, sequenceHashes.length);
    }

    @Override
    public List<CompletableFuture<Boolean>> get(long[] sequenceHashes, int[] landingBlocks) {
        int start = epoch.getAsInt();
        CompletableFuture<boolean[]> all = send(RemoteFrames.GET, RemoteFrames.request(landing, sequenceHashes, landingBlocks),
                sequenceHashes.length, false).thenApply(r -> {
                    if (epoch.getAsInt() != start) {
                        throw new KvbmException(ErrorCode.TRANSFER_FAILED, "G4 read: the set of workers changed while it ran");
                    }
                    transfers.written(landing, landingBlocks, start);
                    return r;
                }).whenComplete((r, e) -> {
                    if (r != null) {
                        for (boolean hit : r) {
                            if (hit) {
                                counters.hit();
                            } else {
                                counters.miss();
                            }
                        }
                    }
                });
        return perBlock(all, sequenceHashes.length);
    }

    @Override
    public CompletableFuture<boolean[]> contains(long[] sequenceHashes) {
        return send(RemoteFrames.CONTAINS, RemoteFrames.request(null, sequenceHashes, null), sequenceHashes.length, false);
    }

    /** One message to every worker; the per-block results combined with OR ({@code any}) or AND. */
    private CompletableFuture<boolean[]> send(String function, byte[] frame, int n, boolean any) {
        return call.apply(function, frame).handle((replies, error) -> {
            if (error != null) {
                counters.error();
                throw new KvbmException(ErrorCode.IO_ERROR, "G4 " + function + ": " + WorkerRemote.rootMessage(error), error);
            }
            boolean[] combined = new boolean[n];
            java.util.Arrays.fill(combined, !any);
            for (WorkerReply r : replies) {
                RemoteFrames.Answer a = RemoteFrames.decodeAnswer(function, r.payload().orElseThrow(() ->
                        new KvbmException(ErrorCode.PROTOCOL_ERROR, "worker " + r.worker() + " answered " + function
                                + " without a payload")));
                if (!a.ok() || a.results().length != n) {
                    counters.error();
                    throw new KvbmException(ErrorCode.IO_ERROR, "G4 " + function + " on worker " + r.worker() + ": "
                            + (a.ok() ? a.results().length + " result(s) for " + n + " block(s)" : a.error()));
                }
                for (long i = 0; i < a.checksumFailures(); i++) {
                    counters.checksumFailure();
                }
                for (int i = 0; i < n; i++) {
                    combined[i] = any ? combined[i] || a.results()[i] : combined[i] && a.results()[i];
                }
            }
            return combined;
        });
    }

    private static List<CompletableFuture<Boolean>> perBlock(CompletableFuture<boolean[]> all, int n) {
        List<CompletableFuture<Boolean>> each = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = i;
            each.add(all.thenApply(r -> r[at]));
        }
        return each;
    }

    @Override
    public RemoteStoreStats stats() {
        return counters.snapshot();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        // the stores are the workers'
    }
}
