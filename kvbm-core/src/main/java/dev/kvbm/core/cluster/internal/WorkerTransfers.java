package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.TransferOutcome;
import dev.kvbm.api.spi.TransferRequest;
import dev.kvbm.core.cluster.WorkerSpec;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A worker's {@code transfer_blocks}: checks the request against the tiers it holds and copies through its
 * own transfer engines, answering with an outcome (never throwing). In replicated mode a follower skips
 * writes to G2/G3 (rank 0 writes the one copy) and refuses to read rank 0's tiers once they are gone or
 * were replaced.
 */
public final class WorkerTransfers {
    private final WorkerSpec spec;
    private final WorkerTiers tiers;
    private final BooleanSupplier ready;

    public WorkerTransfers(WorkerSpec spec, WorkerTiers tiers, BooleanSupplier ready) {
        this.spec = spec;
        this.tiers = tiers;
        this.ready = ready;
    }

    /** The outcome of {@code request}; {@code badRequest} counts a request that names blocks out of range. */
    public TransferOutcome transfer(TransferRequest request, Runnable badRequest) {
        if (!ready.getAsBoolean()) {
            return TransferOutcome.failure("transfer handler not ready yet");
        }
        return tiers.read(v -> {
            try {
                if (spec.replicatedFollower()) {
                    TransferOutcome replicated = followerRule(request, v);
                    if (replicated != null) {
                        return replicated;
                    }
                }
                HeldTier from = v.get(request.from());
                HeldTier to = v.get(request.to());
                if (from == null || to == null) {
                    return TransferOutcome.failure("pool " + (from == null ? request.from() : request.to())
                            + " is not allocated on this worker");
                }
                String range = checkRange(request.blocks(), from, to);
                if (range != null) {
                    badRequest.run();
                    return TransferOutcome.failure(range);
                }
                if (request.blocks().isEmpty()) {
                    return TransferOutcome.success();
                }
                v.mover().move(from.tier(), to.tier(), request.blocks())
                        .get(spec.transferTimeout().toNanos(), TimeUnit.NANOSECONDS);
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
            }
        });
    }

    /** A follower's answer when replicated mode decides it, else null. */
    private TransferOutcome followerRule(TransferRequest request, WorkerTiers.View v) {
        Tier t = request.to();
        if (t == Tier.G2 || t == Tier.G3) {
            return TransferOutcome.success(); // replicated: rank 0 writes the one copy of G2/G3
        }
        HeldTier g3 = v.get(Tier.G3);
        if (request.from() == Tier.G3 && g3 != null) {
            String stale = g3.disk().stale();
            if (stale != null) {
                return TransferOutcome.failure("replicated mode: G3 -> " + t + " on rank " + spec.rank().getAsInt()
                        + " refused: " + stale);
            }
        }
        HeldTier g2 = v.get(Tier.G2);
        if (request.from() == Tier.G2 && (g2 == null || !g2.shared().owner().alive())) {
            return TransferOutcome.failure("replicated mode: rank 0, which owns G2, is gone");
        }
        return null;
    }

    private static String checkRange(List<BlockPair> pairs, HeldTier from, HeldTier to) {
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
}
