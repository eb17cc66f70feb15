package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Completes transfer futures when their CUDA events complete: one daemon thread per stream waits on the events
 * in submission order (work on one stream finishes in order), so there is no thread per transfer. With
 * blocking-sync events the wait sleeps in the driver instead of spinning. A failed wait fails that future with
 * {@code TRANSFER_FAILED}; the thread goes on with the next.
 *
 * <p>The thread starts with the first submission (a lane that is never used costs no thread). Submission
 * and close are serialized, so every accepted future is completed: by its event, or, when an event
 * never completes within the close bound, failed with {@code TRANSFER_FAILED} ("closed") by close().
 */
final class CompletionQueue<E> implements AutoCloseable {
    /** How to wait for one event and release it. */
    interface Waiter<E> {
        void await(E event) throws Exception;

        void destroy(E event);
    }

    private record Pending<E>(E event, CompletableFuture<Void> future, Runnable cleanup) {
    }

    private static final Object STOP = new Object();
    private static final AtomicInteger IDS = new AtomicInteger();

    /** How long close() waits for the queued events before it fails the rest. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Waiter<E> waiter;
    private final String threadName;
    private final Duration closeTimeout;
    private final AtomicInteger pending = new AtomicInteger();
    private final Object lock = new Object();
    private Thread thread; // guarded by lock; started by the first submission
    private boolean closed; // guarded by lock

    CompletionQueue(String name, Waiter<E> waiter) {
        this(name, waiter, CLOSE_TIMEOUT);
    }

    CompletionQueue(String name, Waiter<E> waiter, Duration closeTimeout) {
        this.waiter = waiter;
        this.threadName = "kvbm-cuda-" + name + "-" + IDS.getAndIncrement();
        this.closeTimeout = closeTimeout;
    }

    /**
     * Completes {@code future} (after {@code cleanup}) once {@code event} has completed. Fails with
     * {@code INVALID_STATE} once closed; then the caller still owns the event.
     */
    void submit(E event, CompletableFuture<Void> future, Runnable cleanup) {
        synchronized (lock) { // against close(): nothing is queued behind the thread's STOP
            if (closed) {
                throw new KvbmException(ErrorCode.INVALID_STATE, "the CUDA transfer engine is closed");
            }
            pending.incrementAndGet();
            queue.add(new Pending<>(event, future, cleanup));
            if (thread == null) {
                thread = Thread.ofPlatform().daemon().name(threadName).start(this::loop);
            }
        }
    }

    /** Transfers submitted and not yet completed. */
    int pending() {
        return pending.get();
    }

    /** The completion thread, null until the first submission. */
    Thread thread() {
        synchronized (lock) {
            return thread;
        }
    }

    @SuppressWarnings("unchecked")
    private void loop() {
        while (true) {
            Object next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (next == STOP) {
                return;
            }
            Pending<E> p = (Pending<E>) next;
            Throwable failure = null;
            try {
                waiter.await(p.event());
            } catch (Throwable t) {
                failure = t;
            }
            try {
                if (p.cleanup() != null) {
                    p.cleanup().run();
                }
                waiter.destroy(p.event());
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
            pending.decrementAndGet();
            if (failure == null) {
                p.future().complete(null);
            } else {
                p.future().completeExceptionally(new KvbmException(ErrorCode.TRANSFER_FAILED,
                        "CUDA transfer failed: " + failure.getMessage(), failure));
            }
        }
    }

    /**
     * Stops accepting work, completes what is queued, and ends the thread. An event that does not complete
     * within the close bound holds the thread: what is queued behind it is failed ("closed") and its
     * event destroyed, but its cleanup does not run (the copy may still be reading the memory it keeps).
     */
    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
            if (t == null) {
                return; // never used: no thread, nothing queued
            }
            queue.add(STOP);
        }
        try {
            t.join(closeTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            failQueued();
            queue.add(STOP); // the thread ends if its event ever completes
        }
    }

    @SuppressWarnings("unchecked")
    private void failQueued() {
        Object next;
        while ((next = queue.poll()) != null) {
            if (next instanceof Pending<?> p) {
                Pending<E> job = (Pending<E>) p;
                pending.decrementAndGet();
                try {
                    waiter.destroy(job.event());
                } catch (RuntimeException ignored) {
                    // the future fails below either way
                }
                job.future().completeExceptionally(new KvbmException(ErrorCode.TRANSFER_FAILED, "CUDA transfer "
                        + "abandoned: the engine was closed while an earlier event had not completed after "
                        + closeTimeout.toMillis() + " ms"));
            }
        }
    }
}
