package dev.kvbm.core.remote;

import dev.kvbm.api.Tier;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.core.pool.BlockPool;
import dev.kvbm.core.pool.ImmutableBlock;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Offloads blocks to G4 in a lane of their own: every block registered in the source tier (the lowest
 * host-addressable one) is queued, and one thread writes batches of them, pipelined, while the blocks
 * are pinned in the source. Serving never waits for it: when the queue is full the block is skipped
 * and counted, unless the lane was told to wait (a deterministic replay). Blocks that were just
 * fetched from G4 are not written back.
 */
final class RemoteOffloadLane implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RemoteOffloadLane.class.getName());
    static final int BATCH = 32;

    private final RemoteBlockIo io;
    private final BlockPool source;
    private final TierHealth health;
    private final PathStats stats;
    private final long blockBytes;
    private final long timeoutNanos;
    private final boolean waitWhenFull;
    private final ArrayBlockingQueue<Long> queue;
    /** Queued plus in-flight blocks. */
    private final AtomicInteger pending = new AtomicInteger();
    private final Set<Long> fromRemote = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder written = new LongAdder();
    private final LongAdder alreadyPresent = new LongAdder();
    private final LongAdder laneFull = new LongAdder();
    private final LongAdder degraded = new LongAdder();
    private final LongAdder sourceGone = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Thread thread;

    RemoteOffloadLane(RemoteBlockIo io, BlockPool source, TierHealth health, PathStats stats, long blockBytes,
                      RemoteTierConfig config) {
        this.io = io;
        this.source = source;
        this.health = health;
        this.stats = stats;
        this.blockBytes = blockBytes;
        this.timeoutNanos = config.timeout().toNanos();
        this.waitWhenFull = config.waitWhenFull();
        this.queue = new ArrayBlockingQueue<>(config.laneCapacity());
        source.addListener(new BlockPool.Listener() {
            @Override
            public void registered(BlockPool pool, long sequenceHash, java.util.OptionalLong parent, int blockId,
                                   int priority) {
                enqueue(sequenceHash);
            }
        });
        this.thread = Thread.ofPlatform().daemon().name("kvbm-offload-" + stats.path()).start(this::run);
    }

    /** Marks hashes about to be registered in the source because they came from G4 (not written back). */
    void fetching(List<Long> hashes) {
        fromRemote.addAll(hashes);
    }

    void fetched(List<Long> hashes) {
        hashes.forEach(fromRemote::remove);
    }

    private void enqueue(long hash) {
        if (closed.get() || fromRemote.contains(hash)) {
            return;
        }
        pending.incrementAndGet();
        boolean queued;
        if (waitWhenFull) {
            try {
                queue.put(hash);
                queued = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                queued = false;
            }
        } else {
            queued = queue.offer(hash);
        }
        if (!queued) {
            laneFull.increment();
            pending.decrementAndGet();
        }
    }

    private void run() {
        List<Long> batch = new ArrayList<>(BATCH);
        while (!closed.get()) {
            try {
                Long first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "offload " + stats.path() + " failed unexpectedly", e);
            } finally {
                pending.addAndGet(-batch.size());
                batch.clear();
            }
        }
    }

    private void write(List<Long> batch) {
        if (!health.usable(Tier.G4)) {
            degraded.add(batch.size());
            return;
        }
        List<ImmutableBlock> pins = new ArrayList<>(batch.size());
        try {
            for (long hash : batch) {
                Optional<ImmutableBlock> pin = source.pin(hash); // held until the write completed: bytes stay put
                if (pin.isEmpty()) {
                    sourceGone.increment();
                } else {
                    pins.add(pin.get());
                }
            }
            if (pins.isEmpty()) {
                return;
            }
            long start = stats.begin();
            long[] hashes = new long[pins.size()];
            int[] ids = new int[pins.size()];
            for (int i = 0; i < hashes.length; i++) {
                hashes[i] = pins.get(i).sequenceHash();
                ids[i] = pins.get(i).blockId();
            }
            List<CompletableFuture<Boolean>> writes = io.put(hashes, ids);
            int failures = 0;
            long deadline = start + 2 * timeoutNanos;
            for (CompletableFuture<Boolean> w : writes) {
                try {
                    // The store times its operations out itself; this bound only guards against a lost future.
                    boolean stored = w.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    (stored ? written : alreadyPresent).increment();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures++;
                } catch (Exception e) {
                    failures++;
                    if (failures == 1) {
                        LOG.log(Level.WARNING, "offload " + stats.path() + " to " + io.describe() + " failed: "
                                + rootMessage(e));
                    }
                }
            }
            failed.add(failures);
            int ok = writes.size() - failures;
            stats.end(start, ok, ok * blockBytes, failures == 0);
            if (failures == 0) {
                health.success(Tier.G4);
            } else if (health.failure(Tier.G4)) {
                LOG.log(Level.WARNING, "G4 (" + io.describe() + ") is degraded after repeated failures; offloads "
                        + "to it are skipped and lookups pass it by until it is probed again");
            }
        } finally {
            pins.forEach(ImmutableBlock::close);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.ExecutionException || t instanceof java.util.concurrent.CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** Waits until nothing is queued or in flight. */
    void awaitIdle() {
        while (pending.get() > 0 && !closed.get()) {
            LockSupport.parkNanos(50_000);
        }
    }

    /** Skip and failure counts by name, in a stable order. */
    Map<String, Long> counts() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("g4Written", written.sum());
        c.put("g4AlreadyPresent", alreadyPresent.sum());
        c.put("g4LaneFull", laneFull.sum());
        c.put("g4TierDegraded", degraded.sum());
        c.put("g4SourceGone", sourceGone.sum());
        c.put("g4Failed", failed.sum());
        return c;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
