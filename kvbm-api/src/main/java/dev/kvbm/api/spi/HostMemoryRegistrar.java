package dev.kvbm.api.spi;

import java.lang.foreign.MemorySegment;

/**
 * Makes pinned host memory known to a device runtime (a CUDA module calls {@code cuMemHostRegister} in
 * {@link #register} and {@code cuMemHostUnregister} in {@link #unregister}). The core obtains one from a
 * {@link HostMemoryRegistrarProvider} for the device tier it built and hands it to the host tiers it builds next
 * through {@link TierConfig#hostRegistrar()}; a host allocator hands every pinned region to it chunk by chunk,
 * and unregisters each chunk when its region is closed.
 *
 * <p>Chunks are page-aligned, never larger than {@link #maxChunkBytes()}, and together cover the region exactly,
 * in address order. An exception from {@link #register} fails the allocation (chunks registered so far are
 * unregistered).
 */
public interface HostMemoryRegistrar {

    /** Registers nothing: host tiers built without a device tier that wants its host memory registered. */
    HostMemoryRegistrar NONE = new HostMemoryRegistrar() {
        @Override
        public void register(MemorySegment chunk) {
        }

        @Override
        public void unregister(MemorySegment chunk) {
        }

        @Override
        public String toString() {
            return "HostMemoryRegistrar.NONE";
        }
    };

    /** Registers one chunk of a pinned region. */
    void register(MemorySegment chunk);

    /** Unregisters a chunk {@link #register} accepted; called once per chunk, on close. */
    void unregister(MemorySegment chunk);

    /** The largest chunk this registrar accepts; unbounded by default. */
    default long maxChunkBytes() {
        return Long.MAX_VALUE;
    }
}
