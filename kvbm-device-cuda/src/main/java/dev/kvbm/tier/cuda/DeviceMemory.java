package dev.kvbm.tier.cuda;

import dev.kvbm.api.spi.DeviceMemoryStorage;
import dev.kvbm.tier.cuda.internal.CudaDeviceStorage;

/** Device memory an inference engine owns (its KV tensors), as storage kvbm lays blocks over but never frees. */
public final class DeviceMemory {
    private DeviceMemory() {
    }

    /**
     * Wraps {@code bytes} bytes at device pointer {@code pointer} on device {@code ordinal}. Closing the storage
     * releases nothing; the engine keeps the memory alive for as long as kvbm uses it.
     */
    public static DeviceMemoryStorage wrap(int ordinal, long pointer, long bytes) {
        return CudaDeviceStorage.wrap(ordinal, pointer, bytes);
    }
}
