package dev.kvbm.tier.host.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.tier.host.HostTierOptions;

/** Allocator of pageable, zeroed, page-aligned host memory. */
final class SystemHostAllocator extends AccountingAllocator {

    SystemHostAllocator(long limit) {
        super(limit);
    }

    @Override
    public StorageKind kind() {
        return StorageKind.SYSTEM;
    }

    @Override
    public Storage allocate(long bytes, long alignment) {
        reserve(bytes, alignment);
        try {
            SystemHostStorage s = new SystemHostStorage(bytes, Math.max(alignment, HostTierOptions.PAGE_BYTES),
                    this::released);
            track(s);
            return s;
        } catch (RuntimeException | OutOfMemoryError e) {
            unreserve(bytes);
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot allocate " + bytes
                    + " bytes of pageable host memory: " + e.getMessage(), e);
        }
    }
}
