package dev.kvbm.core.remote;

import dev.kvbm.api.spi.RemoteStoreStats;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How G4's lanes move blocks between a local tier and the store: in this process, from and into the tiers'
 * memory ({@link #over}); or, for a distributed leader whose tiers are logical, through its workers, each
 * writing and reading its own shard. Blocks are named by their block id in the source (writes) or landing
 * (reads) tier. One future per block, in order; every operation is asynchronous and never throws.
 */
public interface RemoteBlockIo extends AutoCloseable {

    /** Writes each block unless the store holds it: true when written, false when it was present. */
    List<CompletableFuture<Boolean>> put(long[] sequenceHashes, int[] sourceBlocks);

    /** Reads each block into the landing tier: true on a hit with verified bytes. */
    List<CompletableFuture<Boolean>> get(long[] sequenceHashes, int[] landingBlocks);

    /** Which of {@code sequenceHashes} the store holds, in one batched round trip. */
    CompletableFuture<boolean[]> contains(long[] sequenceHashes);

    RemoteStoreStats stats();

    /** Where the store is, for logs: never credentials. */
    String describe();

    @Override
    void close();

    /** Blocks of {@code source} written to {@code store}, hits read into {@code landing}, all in this process. */
    static RemoteBlockIo over(dev.kvbm.api.spi.RemoteBlockStore store, dev.kvbm.api.spi.PhysicalLayout source,
                              dev.kvbm.api.spi.PhysicalLayout landing) {
        return new StoreBlockIo(store, source, landing);
    }
}
