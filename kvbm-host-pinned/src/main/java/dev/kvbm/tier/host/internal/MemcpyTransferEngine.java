package dev.kvbm.tier.host.internal;

import dev.kvbm.api.spi.AbstractTransferEngine;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.EngineExecutor;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Host-to-host block copies with libc {@code memcpy} ({@link CopyPlan#execute}): the transfer is validated
 * and planned on the caller's thread (nothing is written when validation fails). A batch smaller than
 * {@code parallelBytes} is copied on the caller's thread and returns a completed future; a larger one is
 * split by bytes, the caller copying the first part and a small pool of daemon threads
 * {@code kvbm-memcpy-N} the others. Every failure completes the returned future exceptionally
 * with {@code TRANSFER_FAILED} (the SPI's {@link AbstractTransferEngine} wraps them). At most
 * {@code maxPendingTasks} parts wait or run on the engine's {@link EngineExecutor}; a split transfer beyond
 * that waits for room on the caller's thread (backpressure instead of an unbounded queue).
 */
final class MemcpyTransferEngine extends AbstractTransferEngine {
    /** Tasks queued or running per worker thread before a transfer waits for room. */
    static final int PENDING_TASKS_PER_THREAD = 256;
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private final int threads;
    private final long parallelBytes;
    private final long taskBytes;
    private volatile CopyPlan lastPlan;
    private volatile int lastParallelism;

    MemcpyTransferEngine(int threads, long parallelBytes, long taskBytes) {
        this(threads, parallelBytes, taskBytes, threads * PENDING_TASKS_PER_THREAD);
    }

    MemcpyTransferEngine(int threads, long parallelBytes, long taskBytes, int maxPendingTasks) {
        super(MemcpyEngineProvider.NAME, new EngineExecutor("kvbm-memcpy", threads, maxPendingTasks, CLOSE_TIMEOUT));
        this.threads = threads;
        this.parallelBytes = parallelBytes;
        this.taskBytes = Math.max(1, taskBytes);
    }

    /** Tasks queued or running now (tests). */
    int pendingTasks() {
        return workers().pendingTasks();
    }

    int threads() {
        return threads;
    }

    /** The plan of the last accepted transfer (tests count its copies). */
    CopyPlan lastPlan() {
        return lastPlan;
    }

    /** How many tasks the last accepted transfer was split into. */
    int lastParallelism() {
        return lastParallelism;
    }

    @Override
    protected CompletableFuture<Void> start(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        CopyPlan plan = CopyPlan.of(source, target, pairs);
        MemorySegment[] sources = segments(source);
        MemorySegment[] targets = segments(target);
        lastPlan = plan;
        long total = plan.totalBytes();
        if (total == 0) {
            lastParallelism = 0;
            return CompletableFuture.completedFuture(null);
        }
        int parts = parts(threads, parallelBytes, taskBytes, total);
        lastParallelism = parts;
        if (parts == 1) {
            // Not split: the caller copies (a hand-off would cost a wake-up and a completion on another thread).
            return runHere(() -> plan.execute(sources, targets, 0, total));
        }
        // Split: the caller copies the first part while the workers copy the others.
        List<Runnable> others = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            long from = total / parts * p;
            long to = p == parts - 1 ? total : total / parts * (p + 1);
            others.add(() -> plan.execute(sources, targets, from, to));
        }
        CompletableFuture<Void> workers = runAll(others);
        long firstEnd = total / parts;
        CompletableFuture<Void> mine = runHere(() -> plan.execute(sources, targets, 0, firstEnd));
        return CompletableFuture.allOf(mine, workers);
    }

    /** Parts a batch of {@code total} bytes is split into: one below {@code parallelBytes}, else up to one per thread. */
    static int parts(int threads, long parallelBytes, long taskBytes, long total) {
        return threads > 1 && total >= parallelBytes
                ? (int) Math.max(1, Math.min(threads, total / Math.max(1, taskBytes))) : 1;
    }

    private static MemorySegment[] segments(PhysicalLayout layout) {
        MemorySegment[] segments = new MemorySegment[layout.storages().size()];
        for (int i = 0; i < segments.length; i++) {
            segments[i] = ((HostMemoryStorage) layout.storage(i)).segment();
        }
        return segments;
    }
}
