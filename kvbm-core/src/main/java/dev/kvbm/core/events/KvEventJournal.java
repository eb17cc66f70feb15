package dev.kvbm.core.events;

import dev.kvbm.api.events.KvEvent;
import dev.kvbm.api.events.KvEvent.Medium;
import dev.kvbm.api.events.KvEventBatch;
import dev.kvbm.api.events.KvEventPublisher;
import dev.kvbm.core.pool.BlockPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns every registration and removal in every tier's pool into KV events, in each pool's own order,
 * and hands them to a publisher in batches (one per request or offload round, never one per event).
 * Runs of stored blocks that chain (each the parent of the next) in one tier become one
 * {@link KvEvent.BlockStored}; runs of removals in one tier one {@link KvEvent.BlockRemoved}. A block's token ids
 * go into its BlockStored when the manager told them ({@link #tokens}: a request prepared from tokens); they
 * are kept while any tier holds the block, so its copies in lower tiers carry them too.
 */
public final class KvEventJournal implements BlockPool.Journal {
    private final KvEventPublisher publisher;
    private final int blockSize;
    private final int dataParallelRank;
    private final Object lock = new Object();
    private final AtomicLong events = new AtomicLong();
    // The run being built, guarded by lock.
    private final List<KvEvent> pending = new ArrayList<>();
    private Medium runMedium;
    private boolean runStored;
    private OptionalLong runParent = OptionalLong.empty();
    private long[] run = new long[16];
    private int runLength;
    private boolean runHasTokens;
    private int[] runTokens = new int[0];
    private int runTokenCount;
    /** Token ids of blocks (by sequence hash) that some tier holds or that are about to be registered. */
    private final Map<Long, int[]> tokens = new ConcurrentHashMap<>();
    /** How many tiers hold each block of {@link #tokens}, guarded by lock. */
    private final Map<Long, Integer> holders = new HashMap<>();
    /** The thread resetting every tier: its removals are one AllBlocksCleared. */
    private volatile Thread clearing;

    /**
     * @param blockSize tokens per block, written into every BlockStored
     */
    public KvEventJournal(KvEventPublisher publisher, int blockSize, int dataParallelRank) {
        this.publisher = publisher;
        this.blockSize = blockSize;
        this.dataParallelRank = dataParallelRank;
    }

    /** The token ids of the block {@code sequenceHash}, told before it is registered; ignored unless a whole block. */
    public void tokens(long sequenceHash, int[] blockTokens) {
        if (blockTokens.length == blockSize) {
            tokens.putIfAbsent(sequenceHash, blockTokens.clone());
        }
    }

    @Override
    public void stored(BlockPool pool, long sequenceHash, OptionalLong parent) {
        Medium medium = Medium.of(pool.tier());
        int[] known = tokens.get(sequenceHash);
        synchronized (lock) {
            if (known != null) {
                holders.merge(sequenceHash, 1, Integer::sum);
            }
            // A run's token ids are all its blocks' or none (vLLM: blockHashes x blockSize, or empty).
            boolean continues = runLength > 0 && runStored && runMedium == medium && parent.isPresent()
                    && parent.getAsLong() == run[runLength - 1] && runHasTokens == (known != null);
            if (!continues) {
                endRun();
                runMedium = medium;
                runStored = true;
                runParent = parent;
                runHasTokens = known != null;
            }
            append(sequenceHash);
            if (known != null) {
                appendTokens(known);
            }
        }
    }

    @Override
    public void removed(BlockPool pool, long sequenceHash) {
        if (Thread.currentThread() == clearing) {
            return; // part of a reset of every tier: one AllBlocksCleared says it
        }
        Medium medium = Medium.of(pool.tier());
        synchronized (lock) {
            Integer held = holders.get(sequenceHash);
            if (held != null) {
                if (held <= 1) {
                    holders.remove(sequenceHash);
                    tokens.remove(sequenceHash);
                } else {
                    holders.put(sequenceHash, held - 1);
                }
            }
            if (runLength == 0 || runStored || runMedium != medium) {
                endRun();
                runMedium = medium;
                runStored = false;
            }
            append(sequenceHash);
        }
    }

    /** Every tier was reset. */
    public void allCleared() {
        synchronized (lock) {
            endRun();
            holders.clear();
            tokens.clear();
            pending.add(new KvEvent.AllBlocksCleared());
            events.incrementAndGet();
        }
    }

    /**
     * Runs {@code resetEveryTier} (on this thread) and records it as one AllBlocksCleared instead of a removal
     * per block; what happened before it stays in order ahead of it.
     */
    public void clearing(Runnable resetEveryTier) {
        synchronized (lock) {
            endRun();
        }
        clearing = Thread.currentThread();
        try {
            resetEveryTier.run();
        } finally {
            clearing = null;
            allCleared();
        }
    }

    /** Publishes what happened since the last flush as one batch; nothing when nothing happened. */
    public void flush() {
        List<KvEvent> batch;
        synchronized (lock) {
            endRun();
            if (pending.isEmpty()) {
                return;
            }
            batch = List.copyOf(pending);
            pending.clear();
        }
        publisher.offer(new KvEventBatch(System.currentTimeMillis() / 1000.0, batch, dataParallelRank));
    }

    /** Events made so far. */
    public long events() {
        return events.get();
    }

    public KvEventPublisher publisher() {
        return publisher;
    }

    private void append(long hash) {
        if (runLength == run.length) {
            run = Arrays.copyOf(run, run.length * 2);
        }
        run[runLength++] = hash;
    }

    private void appendTokens(int[] blockTokens) {
        if (runTokenCount + blockTokens.length > runTokens.length) {
            runTokens = Arrays.copyOf(runTokens, Math.max(runTokenCount + blockTokens.length, runTokens.length * 2));
        }
        System.arraycopy(blockTokens, 0, runTokens, runTokenCount, blockTokens.length);
        runTokenCount += blockTokens.length;
    }

    private void endRun() {
        if (runLength == 0) {
            return;
        }
        long[] hashes = Arrays.copyOf(run, runLength);
        int[] ids = runStored && runHasTokens ? Arrays.copyOf(runTokens, runTokenCount) : new int[0];
        pending.add(runStored ? new KvEvent.BlockStored(hashes, runParent, ids, blockSize, runMedium)
                : new KvEvent.BlockRemoved(hashes, runMedium));
        events.incrementAndGet();
        runLength = 0;
        runTokenCount = 0;
    }
}
