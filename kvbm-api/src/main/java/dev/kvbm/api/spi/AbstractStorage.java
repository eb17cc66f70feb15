package dev.kvbm.api.spi;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A storage region with one owner and a close that runs exactly once: {@link #release()} frees what the
 * region holds, then the owner (usually the {@link AccountingStorageAllocator} that handed it out) is told,
 * even when releasing failed. Later calls of {@link #close()} do nothing.
 */
public abstract class AbstractStorage implements Storage {
    private static final Consumer<Storage> NOBODY = s -> { };

    private final StorageKind kind;
    private final Consumer<? super Storage> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param kind    where the bytes live
     * @param onClose told once, after {@link #release()}; {@code null} when nobody accounts for the region
     */
    protected AbstractStorage(StorageKind kind, Consumer<? super Storage> onClose) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.onClose = onClose == null ? NOBODY : onClose;
    }

    @Override
    public StorageKind kind() {
        return kind;
    }

    /** Whether {@link #close()} was called. */
    public final boolean isClosed() {
        return closed.get();
    }

    /** Frees the region (unmap, free, unlink); called once, by the first {@link #close()}. */
    protected abstract void release();

    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            release();
        } finally {
            onClose.accept(this);
        }
    }
}
