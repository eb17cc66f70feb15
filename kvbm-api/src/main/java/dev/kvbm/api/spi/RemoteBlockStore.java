package dev.kvbm.api.spi;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Blocks of one {@link BlockNamespace} in a remote, shared store, keyed by sequence hash. A block's
 * bytes are given as its pages in (layer, outer) order: host memory segments whose lengths add up to
 * the namespace's block size, in memory any thread may access (a global or shared arena: clients move
 * bytes on their own I/O threads). Values carry the {@link RemoteValueFormat} header; a value whose header
 * or checksum does not match is a miss, counted in {@link RemoteStoreStats#checksumFailures()}, never
 * copied into the caller's memory, and deleted so the block can be written again.
 *
 * <p>Every operation is asynchronous and thread-safe. A store failure (timeout, lost connection, a
 * full server) completes the future exceptionally with a {@code KvbmException} ({@code TIMEOUT} or
 * {@code IO_ERROR}); it never throws from the calling thread and never kills one. Until a future
 * completes the segments it was given must stay valid and unchanged; once a {@link #get} has
 * completed (either way) the store writes nothing more into its target.
 */
public interface RemoteBlockStore extends AutoCloseable {

    /**
     * Writes the block unless its key exists (write-once): true when written, false when the store
     * already held it. The bytes are read from {@code payload} without a heap copy where the client allows.
     */
    CompletableFuture<Boolean> putIfAbsent(long sequenceHash, List<MemorySegment> payload);

    /**
     * Reads the block into {@code target}: true on a hit with verified bytes, false on a miss (absent,
     * evicted, or a value that failed its header or checksum, which is then deleted). On a miss the
     * target's contents are unspecified.
     */
    CompletableFuture<Boolean> get(long sequenceHash, List<MemorySegment> target);

    /** Which of {@code sequenceHashes} the store holds, in one batched (pipelined) round trip. */
    CompletableFuture<boolean[]> contains(long[] sequenceHashes);

    /** Removes the block; completes normally when it was absent. */
    CompletableFuture<Void> delete(long sequenceHash);

    BlockNamespace namespace();

    /** Counters since the store was opened. */
    RemoteStoreStats stats();

    /** Where the store is, for logs and reports: never credentials. */
    String describe();

    /** Closes connections; outstanding futures complete exceptionally. Idempotent. */
    @Override
    void close();
}
