package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.AccountingStorageAllocator;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.tier.cuda.CudaOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * G1 device memory of one ordinal, with a byte limit and an account of what is outstanding. {@code cuMemAlloc}
 * aligns to 256 bytes; a larger alignment over-allocates by {@code alignment - 1} and hands out the aligned part.
 * With {@link CudaOptions#EXTERNAL_REGIONS} it hands out the engine's regions instead and allocates nothing.
 */
final class CudaDeviceAllocator extends AccountingStorageAllocator {
    static final long NATIVE_ALIGNMENT = 256;

    private final int ordinal;
    private final DeviceMemoryOps ops;
    private final List<long[]> external;
    private int nextExternal;

    CudaDeviceAllocator(int ordinal, long limit, DeviceMemoryOps ops) {
        this(ordinal, limit, ops, List.of());
    }

    /** With {@code external} (pointer, bytes) regions: allocations hand these out in order, wrapped, never freed. */
    CudaDeviceAllocator(int ordinal, long limit, DeviceMemoryOps ops, List<long[]> external) {
        super(StorageKind.DEVICE, limit, CudaOptions.LIMIT_BYTES);
        this.ordinal = ordinal;
        this.ops = ops;
        this.external = List.copyOf(external);
    }

    /** Parses {@link CudaOptions#EXTERNAL_REGIONS}: {@code pointer:bytes,...}; errors name the option and the entry. */
    static List<long[]> parseExternal(String text) {
        List<long[]> regions = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return regions;
        }
        String[] entries = text.split(",");
        for (int i = 0; i < entries.length; i++) {
            String e = entries[i].trim();
            int colon = e.indexOf(':');
            long pointer;
            long bytes;
            try {
                if (colon < 0) {
                    throw new NumberFormatException();
                }
                String p = e.substring(0, colon).trim();
                pointer = p.startsWith("0x") || p.startsWith("0X") ? Long.parseUnsignedLong(p.substring(2), 16)
                        : Long.parseUnsignedLong(p);
                bytes = Long.parseLong(e.substring(colon + 1).trim());
            } catch (NumberFormatException ex) {
                throw KvbmException.invalid(CudaOptions.EXTERNAL_REGIONS, "'" + e + "' (entry " + i + ")",
                        "a comma-separated list of pointer:bytes, e.g. 0x7f2a00000000:1073741824");
            }
            if (pointer == 0 || bytes <= 0) {
                throw KvbmException.invalid(CudaOptions.EXTERNAL_REGIONS, "'" + e + "' (entry " + i + ")",
                        "a non-null pointer and bytes >= 1 per entry");
            }
            regions.add(new long[] {pointer, bytes});
        }
        return regions;
    }

    int ordinal() {
        return ordinal;
    }

    @Override
    public Storage allocate(long bytes, long alignment) {
        if (external.isEmpty()) {
            return super.allocate(bytes, alignment);
        }
        checkRequest(bytes, alignment);
        return nextExternal(); // engine memory: not kvbm's to account for or free
    }

    @Override
    protected Storage allocateReserved(long bytes, long alignment, long reserved) {
        long slack = alignment > NATIVE_ALIGNMENT ? alignment - 1 : 0;
        long raw = Math.addExact(bytes, slack);
        long base;
        try {
            base = ops.allocate(ordinal, raw);
        } catch (RuntimeException e) {
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot allocate " + raw + " bytes on device "
                    + ordinal + ": " + e.getMessage(), e);
        }
        long aligned = (base + alignment - 1) & -alignment;
        return new CudaDeviceStorage(ordinal, aligned, base, bytes, p -> ops.free(ordinal, p), this::released);
    }

    private synchronized Storage nextExternal() {
        if (nextExternal >= external.size()) {
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, CudaOptions.EXTERNAL_REGIONS + " lists "
                    + external.size() + " region(s), all handed out; the layout needs one per storage region");
        }
        long[] r = external.get(nextExternal++);
        // The layout checks the fit (alignment padding included) and names the region that is too small.
        return CudaDeviceStorage.wrap(ordinal, r[0], r[1]);
    }
}
