package dev.kvbm.core.events;

import dev.kvbm.api.events.KvEvent;
import dev.kvbm.api.events.KvEvent.Medium;
import dev.kvbm.api.events.KvEventBatch;
import dev.kvbm.api.events.KvEventPublisher;
import dev.kvbm.core.pool.BlockPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns every registration and removal in every tier's pool into KV events, in each pool's own order,
 * and hands them to a publisher in batches (one per request or offload round, never one per event).
 * Runs of stored blocks that chain (each the parent of the next) in one tier become one
 * {@link KvEvent.BlockStored}; runs of removals in one tier one {@link KvEvent.BlockRemoved}.
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

    /**
     * @param blockSize tokens per block, written into every BlockStored
     */
    public KvEventJournal(KvEventPublisher publisher, int blockSize, int dataParallelRank) {
        this.publisher = publisher;
        this.blockSize = blockSize;
        this.dataParallelRank = dataParallelRank;
    }

    @Override
    public void stored(BlockPool pool, long sequenceHash, OptionalLong parent) {
        Medium medium = Medium.of(pool.tier());
        synchronized (lock) {
            boolean continues = runLength > 0 && runStored && runMedium == medium && parent.isPresent()
                    && parent.getAsLong() == run[runLength - 1];
            if (!continues) {
                endRun();
                runMedium = medium;
                runStored = true;
                runParent = parent;
            }
            append(sequenceHash);
        }
    }

    @Override
    public void removed(BlockPool pool, long sequenceHash) {
        Medium medium = Medium.of(pool.tier());
        synchronized (lock) {
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
            pending.add(new KvEvent.AllBlocksCleared());
            events.incrementAndGet();
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

    private void endRun() {
        if (runLength == 0) {
            return;
        }
        long[] hashes = Arrays.copyOf(run, runLength);
        pending.add(runStored ? new KvEvent.BlockStored(hashes, runParent, new int[0], blockSize, runMedium)
                : new KvEvent.BlockRemoved(hashes, runMedium));
        events.incrementAndGet();
        runLength = 0;
    }
}
