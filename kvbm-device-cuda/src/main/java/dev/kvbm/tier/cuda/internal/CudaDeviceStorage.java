package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.AbstractStorage;
import dev.kvbm.api.spi.DeviceMemoryStorage;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import java.util.function.Consumer;

/**
 * Device memory on one ordinal: either allocated by kvbm ({@code cuMemAlloc}, freed once on close) or wrapped
 * around an engine's tensor (close releases nothing).
 */
public final class CudaDeviceStorage extends AbstractStorage implements DeviceMemoryStorage {
    /** What frees an owned allocation: the raw base pointer {@code cuMemAlloc} returned. */
    interface Release {
        void release(long basePointer);
    }

    private final int ordinal;
    private final long pointer;
    private final long basePointer;
    private final long size;
    private final Release release;

    CudaDeviceStorage(int ordinal, long pointer, long basePointer, long size, Release release,
                      Consumer<? super Storage> onClose) {
        super(StorageKind.DEVICE, onClose);
        this.ordinal = ordinal;
        this.pointer = pointer;
        this.basePointer = basePointer;
        this.size = size;
        this.release = release;
    }

    /** Engine-owned memory: validated, never freed by kvbm. */
    public static CudaDeviceStorage wrap(int ordinal, long pointer, long bytes) {
        if (ordinal < 0) {
            throw KvbmException.invalid("ordinal", ordinal, ">= 0");
        }
        if (pointer == 0) {
            throw KvbmException.invalid("pointer", "0 (null)", "a device pointer");
        }
        if (bytes <= 0) {
            throw KvbmException.invalid("bytes", bytes, ">= 1");
        }
        return new CudaDeviceStorage(ordinal, pointer, pointer, bytes, null, null);
    }

    /** True when kvbm allocated the memory and frees it on close. */
    public boolean owned() {
        return release != null;
    }

    @Override
    public int deviceOrdinal() {
        return ordinal;
    }

    @Override
    public long devicePointer() {
        return pointer;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    protected void release() {
        if (release != null) {
            release.release(basePointer);
        }
    }

    @Override
    public String toString() {
        return "CudaDeviceStorage[device " + ordinal + ", 0x" + Long.toHexString(pointer) + ", " + size + " bytes"
                + (owned() ? "" : ", engine-owned") + "]";
    }
}
