package dev.kvbm.api.spi;

/**
 * Hands out storage regions of one kind and accounts for them: it knows its limit and what is still
 * outstanding, so tests and shutdown can check that nothing leaked.
 */
public interface StorageAllocator extends AutoCloseable {

    StorageKind kind();

    /**
     * A region of at least {@code bytes} bytes whose address is a multiple of {@code alignment} (a power
     * of two). Fails with {@code ALLOCATION_FAILED} when the limit or the system refuses.
     */
    Storage allocate(long bytes, long alignment);

    /** The most bytes this allocator will have outstanding at once; {@code Long.MAX_VALUE} when unbounded. */
    long limit();

    /** Bytes allocated and not yet closed. */
    long outstanding();

    /** Closes the allocator; storage still outstanding is released. */
    @Override
    void close();
}
