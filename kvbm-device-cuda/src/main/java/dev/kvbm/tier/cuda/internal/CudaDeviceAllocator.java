package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * G1 device memory of one ordinal, with a byte limit and an account of what is outstanding. {@code cuMemAlloc}
 * aligns to 256 bytes; a larger alignment over-allocates by {@code alignment - 1} and hands out the aligned part.
 */
final class CudaDeviceAllocator implements StorageAllocator {
    static final long NATIVE_ALIGNMENT = 256;

    private final int ordinal;
    private final long limit;
    private final DeviceMemoryOps ops;
    private final AtomicLong outstanding = new AtomicLong();
    private final Set<CudaDeviceStorage> live = ConcurrentHashMap.newKeySet();

    CudaDeviceAllocator(int ordinal, long limit, DeviceMemoryOps ops) {
        this.ordinal = ordinal;
        this.limit = limit;
        this.ops = ops;
    }

    int ordinal() {
        return ordinal;
    }

    @Override
    public StorageKind kind() {
        return StorageKind.DEVICE;
    }

    @Override
    public Storage allocate(long bytes, long alignment) {
        if (bytes <= 0) {
            throw KvbmException.invalid("bytes", bytes, ">= 1");
        }
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw KvbmException.invalid("alignment", alignment, "a power of two");
        }
        long slack = alignment > NATIVE_ALIGNMENT ? alignment - 1 : 0;
        long raw = Math.addExact(bytes, slack);
        long now = outstanding.addAndGet(bytes);
        if (now > limit || now < 0) {
            outstanding.addAndGet(-bytes);
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "device " + ordinal + ": " + bytes
                    + " more bytes would exceed the limit of " + limit + " (" + (now - bytes) + " outstanding)");
        }
        long base;
        try {
            base = ops.allocate(ordinal, raw);
        } catch (RuntimeException e) {
            outstanding.addAndGet(-bytes);
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot allocate " + raw + " bytes on device "
                    + ordinal + ": " + e.getMessage(), e);
        }
        long aligned = (base + alignment - 1) & -alignment;
        CudaDeviceStorage[] self = new CudaDeviceStorage[1];
        self[0] = new CudaDeviceStorage(ordinal, aligned, base, bytes, p -> {
            try {
                ops.free(ordinal, p);
            } finally {
                outstanding.addAndGet(-bytes);
                live.remove(self[0]);
            }
        });
        live.add(self[0]);
        return self[0];
    }

    @Override
    public long limit() {
        return limit;
    }

    @Override
    public long outstanding() {
        return outstanding.get();
    }

    @Override
    public void close() {
        for (CudaDeviceStorage s : live.toArray(CudaDeviceStorage[]::new)) {
            s.close();
        }
    }
}
