package dev.kvbm.api.spi;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every {@link TransferEngine} would otherwise copy: refusing work once closed, reporting every failure
 * (thrown while planning or completing the future) as a {@code KvbmException} of code {@code TRANSFER_FAILED}
 * whose message starts with the engine's name, running a transfer's parts on the engine's
 * {@link EngineExecutor} (bounded: a caller waits for room), and closing that executor on close.
 *
 * <p>Subclasses implement {@link #start}: validate and plan on the caller's thread (so nothing is written when
 * validation fails), then return a future, for example from {@link #runAll(List)}.
 */
public abstract class AbstractTransferEngine implements TransferEngine {
    private static final System.Logger LOG = System.getLogger(AbstractTransferEngine.class.getName());

    private final String name;
    private final EngineExecutor workers;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param name    the engine's name, first word of every failure message
     * @param workers the executor {@link #runAll} uses and {@link #close()} closes, or {@code null} for none
     *                (an engine with its own threads)
     */
    protected AbstractTransferEngine(String name, EngineExecutor workers) {
        this.name = Objects.requireNonNull(name, "name");
        this.workers = workers;
    }

    /** The engine's name as given to the constructor. */
    protected final String engineName() {
        return name;
    }

    /** Whether {@link #close()} was called. */
    protected final boolean isClosed() {
        return closed.get();
    }

    /** The executor given to the constructor, or {@code null}. */
    protected final EngineExecutor workers() {
        return workers;
    }

    /** Plans the copy on the caller's thread and starts it; may throw, and its future may fail, with anything. */
    protected abstract CompletableFuture<Void> start(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs);

    @Override
    public final CompletableFuture<Void> transfer(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(closedFailure());
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

    /**
     * Submits {@code parts} to the executor, waiting for room while it holds its bound of pending tasks; the
     * future completes when all ran, or fails with the first failure ({@code INVALID_STATE} for a part the
     * executor refused or dropped because the engine closed).
     */
    protected final CompletableFuture<Void> runAll(List<Runnable> parts) {
        if (workers == null) {
            throw new KvbmException(ErrorCode.INVALID_STATE, name + " engine has no worker pool");
        }
        CompletableFuture<?>[] futures = new CompletableFuture<?>[parts.size()];
        for (int i = 0; i < futures.length; i++) {
            futures[i] = workers.submit(parts.get(i));
        }
        return CompletableFuture.allOf(futures);
    }

    /**
     * Runs {@code part} on the caller's thread and returns its outcome as a completed future (failed with
     * whatever it threw): a part too small to be worth a hand-off to the executor (a thread wake-up and a
     * future completed on another thread cost more than a small copy).
     */
    protected static CompletableFuture<Void> runHere(Runnable part) {
        try {
            part.run();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException | Error e) {
            return CompletableFuture.failedFuture(e);
        }
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

    /** The failure of a transfer refused because the engine is closed: {@code TRANSFER_FAILED} over {@code INVALID_STATE}. */
    protected final KvbmException closedFailure() {
        return failure(new KvbmException(ErrorCode.INVALID_STATE, "the " + name + " engine is closed"));
    }

    /**
     * Releases the engine's own resources (registrations, rings, native handles); runs once, after the
     * executor terminated, so no part of a transfer still uses them. It does not run when parts were still
     * running at the executor's close bound: leaking those resources is safer than freeing memory in use.
     */
    protected void onClose() {
    }

    /**
     * Refuses new transfers, closes the executor (queued and running parts get its close bound to finish, what
     * is still queued then fails with {@code INVALID_STATE}, running parts are never interrupted), then
     * {@link #onClose()} once nothing runs; idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (workers != null) {
            workers.close();
            if (!workers.isTerminated()) {
                LOG.log(System.Logger.Level.WARNING, "{0} transfers still running after the close bound; "
                        + "the engine''s resources stay allocated", name);
                return;
            }
        }
        onClose();
    }
}
