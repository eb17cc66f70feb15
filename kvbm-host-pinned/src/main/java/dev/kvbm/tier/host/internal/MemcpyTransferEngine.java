package dev.kvbm.tier.host.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.EngineExecutor;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.TransferEngine;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Host-to-host block copies with {@link MemorySegment#copy}: the transfer is validated and planned on
 * the caller's thread (nothing is written when validation fails), then run on a small pool of daemon
 * threads {@code kvbm-memcpy-N}. A batch of at least {@code parallelBytes} is split by bytes across the
 * pool; a smaller one runs as one task. Every failure completes the returned future exceptionally
 * with {@code TRANSFER_FAILED}. At most {@code maxPendingTasks} tasks wait or run; a transfer beyond
 * that waits for room on the caller's thread (backpressure instead of an unbounded queue).
 */
final class MemcpyTransferEngine implements TransferEngine {
    /** Tasks queued or running per worker thread before a transfer waits for room. */
    static final int PENDING_TASKS_PER_THREAD = 256;
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final EngineExecutor pool;
    private final int threads;
    private final long parallelBytes;
    private final long taskBytes;
    private volatile CopyPlan lastPlan;
    private volatile int lastParallelism;

    MemcpyTransferEngine(int threads, long parallelBytes, long taskBytes) {
        this(threads, parallelBytes, taskBytes, threads * PENDING_TASKS_PER_THREAD);
    }

    MemcpyTransferEngine(int threads, long parallelBytes, long taskBytes, int maxPendingTasks) {
        this.threads = threads;
        this.parallelBytes = parallelBytes;
        this.taskBytes = Math.max(1, taskBytes);
        this.pool = new EngineExecutor("kvbm-memcpy", threads, maxPendingTasks, CLOSE_TIMEOUT);
    }

    /** Tasks queued or running now (tests). */
    int pendingTasks() {
        return pool.pendingTasks();
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
    public CompletableFuture<Void> transfer(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        CopyPlan plan;
        MemorySegment[] sources;
        MemorySegment[] targets;
        try {
            plan = CopyPlan.of(source, target, pairs);
            sources = segments(source);
            targets = segments(target);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failure(e));
        }
        lastPlan = plan;
        long total = plan.totalBytes();
        if (total == 0) {
            lastParallelism = 0;
            return CompletableFuture.completedFuture(null);
        }
        int parts = 1;
        if (threads > 1 && total >= parallelBytes) {
            parts = (int) Math.max(1, Math.min(threads, total / taskBytes));
        }
        lastParallelism = parts;
        CompletableFuture<?>[] futures = new CompletableFuture<?>[parts];
        for (int p = 0; p < parts; p++) {
            long from = total / parts * p;
            long to = p == parts - 1 ? total : total / parts * (p + 1);
            futures[p] = pool.submit(() -> plan.execute(sources, targets, from, to)); // fails once closed
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        CompletableFuture.allOf(futures).whenComplete((v, error) -> {
            if (error == null) {
                result.complete(null);
            } else {
                result.completeExceptionally(failure(error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error));
            }
        });
        return result;
    }

    private static MemorySegment[] segments(PhysicalLayout layout) {
        MemorySegment[] segments = new MemorySegment[layout.storages().size()];
        for (int i = 0; i < segments.length; i++) {
            segments[i] = ((HostMemoryStorage) layout.storage(i)).segment();
        }
        return segments;
    }

    private static KvbmException failure(Throwable cause) {
        if (cause instanceof KvbmException k && k.code() == ErrorCode.TRANSFER_FAILED) {
            return k;
        }
        return new KvbmException(ErrorCode.TRANSFER_FAILED, "memcpy transfer failed: " + cause.getMessage(), cause);
    }

    @Override
    public void close() {
        pool.close();
    }
}
