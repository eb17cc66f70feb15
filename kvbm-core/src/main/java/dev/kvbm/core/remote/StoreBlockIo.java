package dev.kvbm.core.remote;

import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.RemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreStats;
import dev.kvbm.core.integrity.BlockBytes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** G4 in one process: the store reads and writes the local tiers' memory directly. */
final class StoreBlockIo implements RemoteBlockIo {
    private final RemoteBlockStore store;
    private final PhysicalLayout source;
    private final PhysicalLayout landing;

    StoreBlockIo(RemoteBlockStore store, PhysicalLayout source, PhysicalLayout landing) {
        this.store = store;
        this.source = source;
        this.landing = landing;
    }

    RemoteBlockStore store() {
        return store;
    }

    @Override
    public List<CompletableFuture<Boolean>> put(long[] sequenceHashes, int[] sourceBlocks) {
        List<CompletableFuture<Boolean>> writes = new ArrayList<>(sequenceHashes.length);
        for (int i = 0; i < sequenceHashes.length; i++) {
            writes.add(store.putIfAbsent(sequenceHashes[i], BlockBytes.segments(source, sourceBlocks[i])));
        }
        return writes;
    }

    @Override
    public List<CompletableFuture<Boolean>> get(long[] sequenceHashes, int[] landingBlocks) {
        List<CompletableFuture<Boolean>> reads = new ArrayList<>(sequenceHashes.length);
        for (int i = 0; i < sequenceHashes.length; i++) {
            reads.add(store.get(sequenceHashes[i], BlockBytes.segments(landing, landingBlocks[i])));
        }
        return reads;
    }

    @Override
    public CompletableFuture<boolean[]> contains(long[] sequenceHashes) {
        return store.contains(sequenceHashes);
    }

    @Override
    public RemoteStoreStats stats() {
        return store.stats();
    }

    @Override
    public String describe() {
        return store.describe();
    }

    @Override
    public void close() {
        store.close();
    }
}
