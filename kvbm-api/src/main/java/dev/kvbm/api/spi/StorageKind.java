package dev.kvbm.api.spi;

/** Where a storage region's bytes physically live; transfer engines are chosen by (source, target) kind. */
public enum StorageKind {
    /** Pageable host memory. */
    SYSTEM,
    /** Page-locked (pinned) host memory, the kind DMA engines can read directly. */
    PINNED,
    /** Accelerator memory, addressed by a device pointer. */
    DEVICE,
    /** A region of a local file. */
    DISK,
    /** Memory or storage on another host. */
    REMOTE;

    /** True for the kinds whose bytes the CPU can address as a {@link java.lang.foreign.MemorySegment}. */
    public boolean hostAddressable() {
        return this == SYSTEM || this == PINNED;
    }
}
