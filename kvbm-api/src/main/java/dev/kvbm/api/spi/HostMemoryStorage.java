package dev.kvbm.api.spi;

import java.lang.foreign.MemorySegment;

/** Host memory (pageable or pinned) the CPU addresses directly. */
public interface HostMemoryStorage extends Storage {

    /** The region as a segment of {@link #size()} bytes; invalid after {@link #close()}. */
    MemorySegment segment();

    @Override
    default long address() {
        return segment().address();
    }
}
