package dev.kvbm.api.spi;

/** Accelerator memory: a device pointer the CPU must not dereference. */
public interface DeviceMemoryStorage extends Storage {

    /** The ordinal of the device that holds the memory. */
    int deviceOrdinal();

    /** The device pointer of the first byte. */
    long devicePointer();

    @Override
    default long address() {
        return devicePointer();
    }

    @Override
    default StorageKind kind() {
        return StorageKind.DEVICE;
    }
}
