package dev.kvbm.api.spi;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transfer engine's worker threads, with backpressure: at most {@code maxPendingTasks} tasks are queued
 * or running, and {@link #submit} waits for room beyond that instead of queueing without bound. Threads
 * are made on demand and end after 30 s idle, so an unused engine holds none.
 *
 * <p>Every future {@link #submit} returns is completed: by its task (on the worker thread), or with
 * {@code INVALID_STATE} when the executor is closed before the task ran. {@link #close()} lets the
 * queued and running tasks finish within its bound, then fails what is still queued; running tasks are
 * never interrupted (an interrupt would close the file channels they write).
 */
public final class EngineExecutor implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final String name;
    private final ThreadPoolExecutor pool;
    private final Semaphore room;
    private final int maxPendingTasks;
    private final Duration closeTimeout;

    /**
     * @param name            thread name prefix, and the executor's name in errors
     * @param threads         worker threads, at least 1
     * @param maxPendingTasks tasks queued or running before {@link #submit} waits, at least {@code threads}
     * @param closeTimeout    how long {@link #close()} waits for the tasks already submitted
     */
    public EngineExecutor(String name, int threads, int maxPendingTasks, Duration closeTimeout) {
        this.name = Objects.requireNonNull(name, "name");
        if (threads < 1) {
            throw KvbmException.invalid("threads", threads, ">= 1");
        }
        if (maxPendingTasks < threads) {
            throw KvbmException.invalid("maxPendingTasks", maxPendingTasks, ">= threads (" + threads + ")");
        }
        this.maxPendingTasks = maxPendingTasks;
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        this.room = new Semaphore(maxPendingTasks);
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(maxPendingTasks), r -> Thread.ofPlatform().daemon()
                .name(name + "-" + IDS.getAndIncrement()).unstarted(r));
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code task} on a worker thread, waiting while {@code maxPendingTasks} tasks are queued or
     * running. The wait ignores interrupts: a transfer whose first parts run must not fail while they
     * still write. The future fails with {@code INVALID_STATE} once the executor is closed.
     */
    public CompletableFuture<Void> submit(Runnable task) {
        Task t = new Task(task);
        room.acquireUninterruptibly();
        try {
            pool.execute(t);
        } catch (RejectedExecutionException e) {
            room.release();
            t.future.completeExceptionally(closed(e));
        }
        return t.future;
    }

    /** Tasks queued or running now (at most {@code maxPendingTasks}). */
    public int pendingTasks() {
        return maxPendingTasks - room.availablePermits();
    }

    public int maxPendingTasks() {
        return maxPendingTasks;
    }

    /**
     * True once closed and no task runs any more: only then may an engine release what its tasks use
     * (file handles, registrations).
     */
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    /** Refuses new tasks, waits for the submitted ones (at most the close bound), fails what is still queued. */
    @Override
    public void close() {
        pool.shutdown();
        boolean done = false;
        try {
            done = pool.awaitTermination(closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!done) {
            List<Runnable> dropped = new ArrayList<>();
            pool.getQueue().drainTo(dropped);
            for (Runnable r : dropped) {
                room.release();
                ((Task) r).future.completeExceptionally(closed(null));
            }
        }
    }

    private KvbmException closed(Throwable cause) {
        return new KvbmException(ErrorCode.INVALID_STATE, name + " is closed", cause);
    }

    private final class Task implements Runnable {
        final Runnable work;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        Task(Runnable work) {
            this.work = work;
        }

        @Override
        public void run() {
            Throwable failure = null;
            try {
                work.run();
            } catch (Throwable e) {
                failure = e;
            }
            // Room first: whoever sees the future complete sees the task no longer pending.
            room.release();
            if (failure == null) {
                future.complete(null);
            } else {
                future.completeExceptionally(failure);
            }
        }
    }
}
