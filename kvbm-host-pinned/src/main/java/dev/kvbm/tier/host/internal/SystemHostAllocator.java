package dev.kvbm.tier.host.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.AccountingStorageAllocator;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.tier.host.HostTierOptions;

/** Allocator of pageable, zeroed, page-aligned host memory. */
final class SystemHostAllocator extends AccountingStorageAllocator {

    SystemHostAllocator(long limit) {
        super(StorageKind.SYSTEM, limit, HostTierOptions.LIMIT_BYTES);
    }

    @Override
    protected Storage allocateReserved(long bytes, long alignment, long reserved) {
        try {
            return new SystemHostStorage(bytes, Math.max(alignment, HostTierOptions.PAGE_BYTES), this::released);
        } catch (RuntimeException | OutOfMemoryError e) {
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot allocate " + bytes
                    + " bytes of pageable host memory: " + e.getMessage(), e);
        }
    }
}
