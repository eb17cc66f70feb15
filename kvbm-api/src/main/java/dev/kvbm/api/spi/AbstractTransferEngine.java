package dev.kvbm.api.spi;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every {@link TransferEngine} would otherwise copy: refusing work once closed, reporting every failure
 * (thrown while planning or completing the future) as a {@code KvbmException} of code {@code TRANSFER_FAILED}
 * whose message starts with the engine's name, running a transfer's parts on the engine's worker pool, and
 * shutting that pool down on close.
 *
 * <p>Subclasses implement {@link #start}: validate and plan on the caller's thread (so nothing is written when
 * validation fails), then return a future, for example from {@link #runAll(List)}.
 */
public abstract class AbstractTransferEngine implements TransferEngine {
    private final String name;
    private final ExecutorService workers;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param name    the engine's name, first word of every failure message
     * @param workers the pool {@link #runAll} uses and {@link #close()} shuts down, or {@code null} for none
     */
    protected AbstractTransferEngine(String name, ExecutorService workers) {
        this.name = Objects.requireNonNull(name, "name");
        this.workers = workers;
    }

    /**
     * A fixed pool of {@code threads} daemon threads named {@code <prefix>-N} that end when idle for 30 s; its
     * queue is unbounded (a transfer's parts are queued at once).
     */
    protected static ExecutorService workerPool(String prefix, int threads) {
        AtomicInteger ids = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, prefix + "-" + ids.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** The engine's name as given to the constructor. */
    protected final String engineName() {
        return name;
    }

    /** Whether {@link #close()} was called. */
    protected final boolean isClosed() {
        return closed.get();
    }

    /** Plans the copy on the caller's thread and starts it; may throw, and its future may fail, with anything. */
    protected abstract CompletableFuture<Void> start(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs);

    @Override
    public final CompletableFuture<Void> transfer(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(failure(new KvbmException(ErrorCode.INVALID_STATE,
                    "the " + name + " engine is closed")));
        }
        CompletableFuture<Void> started;
        try {
            started = Objects.requireNonNull(start(source, target, pairs), "start returned null");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failure(e));
        }
        if (started.isDone() && !started.isCompletedExceptionally()) {
            return started; // nothing to wrap (an empty transfer, for example)
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        started.whenComplete((v, error) -> {
            if (error == null) {
                result.complete(null);
            } else {
                result.completeExceptionally(failure(error));
            }
        });
        return result;
    }

    /** Runs {@code parts} on the worker pool; the future completes when all did, or fails with the first failure. */
    protected final CompletableFuture<Void> runAll(List<Runnable> parts) {
        if (workers == null) {
            throw new KvbmException(ErrorCode.INVALID_STATE, name + " engine has no worker pool");
        }
        CompletableFuture<?>[] futures = new CompletableFuture<?>[parts.size()];
        try {
            for (int i = 0; i < futures.length; i++) {
                futures[i] = CompletableFuture.runAsync(parts.get(i), workers);
            }
        } catch (RejectedExecutionException e) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the " + name + " engine is closed", e);
        }
        return CompletableFuture.allOf(futures);
    }

    /** {@code cause} as {@code TRANSFER_FAILED}: kept when it already is, wrapped (cause chain intact) otherwise. */
    protected final KvbmException failure(Throwable cause) {
        Throwable c = cause;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof KvbmException k && k.code() == ErrorCode.TRANSFER_FAILED) {
            return k;
        }
        return new KvbmException(ErrorCode.TRANSFER_FAILED, name + " transfer failed: " + c.getMessage(), c);
    }

    /**
     * Releases the engine's own resources (registrations, rings, native handles); runs once, after the worker
     * pool stopped, so no part of a transfer still uses them.
     */
    protected void onClose() {
    }

    /** Refuses new transfers, lets queued parts finish (10 s at most), stops the pool, then {@link #onClose()}; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (workers != null) {
            workers.shutdown();
            try {
                if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                    workers.shutdownNow();
                }
            } catch (InterruptedException e) {
                workers.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        onClose();
    }
}
