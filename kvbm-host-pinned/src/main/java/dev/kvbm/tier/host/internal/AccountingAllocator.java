package dev.kvbm.tier.host.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Limit and outstanding-bytes accounting shared by the host allocators; closing releases what is left. */
abstract class AccountingAllocator implements StorageAllocator {
    private final long limit;
    private final Set<Storage> live = ConcurrentHashMap.newKeySet();
    private long outstanding; // guarded by this
    private boolean closed; // guarded by this

    AccountingAllocator(long limit) {
        this.limit = limit;
    }

    @Override
    public final long limit() {
        return limit;
    }

    @Override
    public final synchronized long outstanding() {
        return outstanding;
    }

    /** Validates the request and reserves {@code bytes} against the limit. */
    final synchronized void reserve(long bytes, long alignment) {
        if (closed) {
            throw new KvbmException(ErrorCode.INVALID_STATE, kind() + " allocator is closed");
        }
        if (bytes < 1) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "bytes", "bytes must be >= 1 (got " + bytes + ")");
        }
        if (alignment < 1 || Long.bitCount(alignment) != 1) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "alignment",
                    "alignment must be a power of two >= 1 (got " + alignment + ")");
        }
        if (bytes > limit - outstanding) {
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot allocate " + bytes + " bytes of " + kind()
                    + " host memory: requested " + bytes + " + outstanding " + outstanding + " exceeds the limit "
                    + Options.bytes(limit) + " (raise " + dev.kvbm.tier.host.HostTierOptions.LIMIT_BYTES + ")");
        }
        outstanding += bytes;
    }

    /** Returns a reservation whose allocation failed. */
    final synchronized void unreserve(long bytes) {
        outstanding -= bytes;
    }

    /** Records a storage that now holds a reservation. */
    final void track(Storage storage) {
        live.add(storage);
    }

    /** Called once by a storage's close. */
    final void released(Storage storage, long bytes) {
        if (live.remove(storage)) {
            synchronized (this) {
                outstanding -= bytes;
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        List<Storage> left = new ArrayList<>(live);
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
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
