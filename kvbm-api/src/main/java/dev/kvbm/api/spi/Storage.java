package dev.kvbm.api.spi;

/**
 * One contiguous storage region owned by a tier: host memory, device memory or a file region. It has
 * exactly one owner; {@link #close()} releases it and is idempotent. Storage wrapped around memory
 * somebody else owns (an engine's KV tensors) releases nothing.
 */
public interface Storage extends AutoCloseable {

    StorageKind kind();

    /** Usable bytes. */
    long size();

    /**
     * The address layouts align against: the virtual address for host memory, the device pointer for
     * device memory, 0 for files (layout offsets are file offsets).
     */
    long address();

    /** Releases the region (frees, unregisters, unlinks). Safe to call more than once. */
    @Override
    void close();
}
