package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Completes transfer futures when their CUDA events complete: one daemon thread per stream waits on the events
 * in submission order (work on one stream finishes in order), so there is no thread per transfer. With
 * blocking-sync events the wait sleeps in the driver instead of spinning. A failed wait fails that future with
 * {@code TRANSFER_FAILED}; the thread goes on with the next.
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

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Waiter<E> waiter;
    private final Thread thread;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;

    CompletionQueue(String name, Waiter<E> waiter) {
        this.waiter = waiter;
        this.thread = new Thread(this::loop, "kvbm-cuda-" + name + "-" + IDS.getAndIncrement());
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes {@code future} (after {@code cleanup}) once {@code event} has completed. */
    void submit(E event, CompletableFuture<Void> future, Runnable cleanup) {
        if (closed) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the CUDA transfer engine is closed");
        }
        pending.incrementAndGet();
        queue.add(new Pending<>(event, future, cleanup));
    }

    /** Transfers submitted and not yet completed. */
    int pending() {
        return pending.get();
    }

    Thread thread() {
        return thread;
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

    /** Stops accepting work, completes what is queued, and ends the thread (waits at most 30 s). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
