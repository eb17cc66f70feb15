package dev.kvbm.api.spi;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The accounting half of a {@link StorageAllocator}, as in Arrow's {@code BaseAllocator}: a limit, the bytes
 * outstanding, the storages still alive, and a close that releases them. {@link #allocate} validates the
 * request, reserves its bytes against the limit (failing with {@code ALLOCATION_FAILED} and the numbers),
 * asks the subclass for the region, and gives the reservation back when that fails. A storage reports its
 * close through {@link #released(Storage)} (pass {@code this::released} as an {@link AbstractStorage}'s
 * {@code onClose}), which returns its bytes exactly once.
 */
public abstract class AccountingStorageAllocator implements StorageAllocator {
    private final StorageKind kind;
    private final long limit;
    private final String limitKey;
    // Identity: two storages of equal value (records over the same address) are still two allocations.
    private final Map<Storage, Long> live = Collections.synchronizedMap(new IdentityHashMap<>());
    private long outstanding; // guarded by this
    private boolean closed; // guarded by this

    /**
     * @param kind     the kind of storage handed out
     * @param limit    the most bytes outstanding at once ({@code Long.MAX_VALUE}: unbounded), at least 1
     * @param limitKey the option that sets the limit, named in the over-limit error
     */
    protected AccountingStorageAllocator(StorageKind kind, long limit, String limitKey) {
        this.kind = Objects.requireNonNull(kind, "kind");
        if (limit < 1) {
            throw KvbmException.invalid(limitKey, limit, ">= 1");
        }
        this.limit = limit;
        this.limitKey = Objects.requireNonNull(limitKey, "limitKey");
    }

    @Override
    public final StorageKind kind() {
        return kind;
    }

    @Override
    public final long limit() {
        return limit;
    }

    @Override
    public final synchronized long outstanding() {
        return outstanding;
    }

    /** Whether {@link #close()} was called. */
    protected final synchronized boolean isClosed() {
        return closed;
    }

    /** Storages handed out and not yet closed. */
    public final int liveStorages() {
        return live.size();
    }

    /**
     * The bytes a request of {@code bytes} holds against the limit; {@code bytes} unless the allocator rounds
     * up (whole file-system blocks, for example).
     */
    protected long reservation(long bytes, long alignment) {
        return bytes;
    }

    /**
     * Allocates the region once its {@code reserved} bytes are accounted for. Throwing gives the reservation
     * back; a {@link KvbmException} passes unchanged, anything else becomes {@code ALLOCATION_FAILED}.
     */
    protected abstract Storage allocateReserved(long bytes, long alignment, long reserved);

    @Override
    public Storage allocate(long bytes, long alignment) {
        checkRequest(bytes, alignment);
        long reserved = reservation(bytes, alignment);
        reserve(reserved);
        Storage s;
        try {
            s = allocateReserved(bytes, alignment, reserved);
        } catch (KvbmException e) {
            unreserve(reserved);
            throw e;
        } catch (RuntimeException | OutOfMemoryError e) {
            unreserve(reserved);
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot allocate " + bytes + " bytes of " + kind
                    + " storage: " + e, e);
        }
        live.put(s, reserved);
        if (s instanceof AbstractStorage a && a.isClosed()) {
            released(s); // closed before it was tracked: return the bytes now
        }
        return s;
    }

    /** Fails with {@code INVALID_STATE} when closed and {@code INVALID_ARGUMENT} for a bad size or alignment. */
    protected final void checkRequest(long bytes, long alignment) {
        if (isClosed()) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the " + kind + " allocator is closed");
        }
        if (bytes < 1) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "bytes", "bytes must be >= 1 (got " + bytes + ")");
        }
        if (alignment < 1 || Long.bitCount(alignment) != 1) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "alignment",
                    "alignment must be a power of two >= 1 (got " + alignment + ")");
        }
    }

    private synchronized void reserve(long bytes) {
        if (closed) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the " + kind + " allocator is closed");
        }
        if (bytes > limit - outstanding) {
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot allocate " + bytes + " bytes of " + kind
                    + " storage: requested " + bytes + " + outstanding " + outstanding + " exceeds the limit " + limit
                    + " (raise " + limitKey + ")");
        }
        outstanding += bytes;
    }

    private synchronized void unreserve(long bytes) {
        outstanding -= bytes;
    }

    /** Returns a storage's bytes to the account; called by the storage's close, counted once. */
    protected final void released(Storage storage) {
        Long bytes = live.remove(storage);
        if (bytes != null) {
            unreserve(bytes);
        }
    }

    /** Stops handing out storage and closes every storage still outstanding; later calls do nothing. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        List<Storage> left;
        synchronized (live) {
            left = new ArrayList<>(live.keySet());
        }
        RuntimeException first = null;
        for (Storage s : left) {
            try {
                s.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            } finally {
                released(s);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
