package dev.kvbm.tck;

import dev.kvbm.api.spi.DeviceMemoryStorage;

/**
 * Device storage that is only an address, for tests of planning and validation that never dereference it
 * (copy planning, refusing a path an engine does not serve). Closing releases nothing.
 */
public record DeviceAddressStorage(int deviceOrdinal, long devicePointer, long size) implements DeviceMemoryStorage {
    @Override
    public void close() {
    }
}
