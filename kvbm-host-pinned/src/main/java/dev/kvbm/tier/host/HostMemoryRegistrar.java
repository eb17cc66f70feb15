package dev.kvbm.tier.host;

import java.lang.foreign.MemorySegment;

/**
 * A hook that makes pinned host memory known to a device runtime (a CUDA module calls
 * {@code cuMemHostRegister} in {@link #register} and {@code cuMemHostUnregister} in {@link #unregister}).
 * Install one with {@link HostMemoryRegistrars#install}; every pinned region allocated afterwards is
 * handed over chunk by chunk, and each chunk is unregistered when its region is closed.
 *
 * <p>Chunks are page-aligned, never larger than {@link #maxChunkBytes()} (nor than the tier's
 * {@link HostTierOptions#CHUNK_BYTES}), and together cover the region exactly, in address order.
 * An exception from {@link #register} fails the allocation (chunks registered so far are unregistered).
 */
public interface HostMemoryRegistrar {

    /** Registers one chunk of a pinned region. */
    void register(MemorySegment chunk);

    /** Unregisters a chunk {@link #register} accepted; called once per chunk, on close. */
    void unregister(MemorySegment chunk);

    /** The largest chunk this registrar accepts; unbounded by default. */
    default long maxChunkBytes() {
        return Long.MAX_VALUE;
    }
}
