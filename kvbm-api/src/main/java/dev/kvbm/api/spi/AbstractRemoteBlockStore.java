package dev.kvbm.api.spi;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every {@link RemoteBlockStore} keeps the same way: its namespace, its counters, how it is shown, the check
 * that pages hold exactly one block, failures that name the store and the operation, and a close that releases
 * the client once.
 */
public abstract class AbstractRemoteBlockStore implements RemoteBlockStore {
    protected final BlockNamespace namespace;
    protected final RemoteStoreCounters counters = new RemoteStoreCounters();
    private final String display;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A store of {@code namespace}, shown as {@code display} (never credentials). */
    protected AbstractRemoteBlockStore(BlockNamespace namespace, String display) {
        this.namespace = namespace;
        this.display = display;
    }

    /** Null when {@code pages} hold one block of the namespace, else the failure naming both sizes. */
    protected final KvbmException wrongSize(String what, List<MemorySegment> pages) {
        long length = RemoteValueFormat.payloadLength(pages);
        return length == namespace.blockBytes() ? null : KvbmException.invalid(what, length + " bytes",
                namespace.blockBytes() + " bytes (one block of the namespace)");
    }

    /** A counted failure of {@code operation}: {@code TIMEOUT} or {@code IO_ERROR}, naming the store, with its cause. */
    protected final KvbmException failure(String operation, Throwable cause, boolean timeout) {
        counters.error();
        return new KvbmException(timeout ? ErrorCode.TIMEOUT : ErrorCode.IO_ERROR, "G4 " + display + ": " + operation
                + " failed: " + cause.getMessage(), cause);
    }

    /** The failure of an operation on a closed store. */
    protected final KvbmException closedFailure() {
        return new KvbmException(ErrorCode.INVALID_STATE, "G4 " + display + " is closed");
    }

    protected final boolean isClosed() {
        return closed.get();
    }

    @Override
    public final BlockNamespace namespace() {
        return namespace;
    }

    @Override
    public final RemoteStoreStats stats() {
        return counters.snapshot();
    }

    @Override
    public final String describe() {
        return display;
    }

    /** Releases the client on the first call; later calls do nothing. */
    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            release();
        }
    }

    /** Closes the client's connections and threads; called once, also for a store whose opening failed. */
    protected abstract void release();
}
