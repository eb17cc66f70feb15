package dev.kvbm.api.events;

import dev.kvbm.api.KvbmException;
import java.util.OptionalLong;

/**
 * A change to the set of blocks a tier holds, in the terms of vLLM's KV events: consumers (routers,
 * indexers) rebuild each tier's set of block hashes from them. Hashes are kvbm's sequence hashes,
 * unsigned 64-bit.
 */
public sealed interface KvEvent {

    /** The tier the event happened in, as vLLM names storage media. */
    enum Medium {
        /** G1: the engine's working cache, wherever its memory is. */
        GPU,
        /** G2: host memory. */
        CPU,
        /** G3: local disk. */
        DISK,
        /** G4: a store shared by many machines. */
        REMOTE;

        /** The medium of kvbm's tier {@code g}. */
        public static Medium of(dev.kvbm.api.Tier g) {
            return switch (g) {
                case G1 -> GPU;
                case G2 -> CPU;
                case G3 -> DISK;
                case G4 -> REMOTE;
            };
        }
    }

    /**
     * Blocks now held, in prefix order: each block's parent is the block before it, the first one's is
     * {@code parent}.
     *
     * @param tokenIds  the blocks' tokens one after the other when known, else empty
     * @param blockSize tokens per block
     */
    record BlockStored(long[] blockHashes, OptionalLong parent, int[] tokenIds, int blockSize, Medium medium)
            implements KvEvent {
        public BlockStored {
            if (blockHashes.length == 0) {
                throw KvbmException.invalid("blockHashes", "an empty list", "at least one hash");
            }
            if (blockSize < 1) {
                throw KvbmException.invalid("blockSize", blockSize, ">= 1");
            }
            if (tokenIds.length != 0 && tokenIds.length != (long) blockHashes.length * blockSize) {
                throw KvbmException.invalid("tokenIds", tokenIds.length + " tokens",
                        "empty or blockHashes x blockSize = " + (long) blockHashes.length * blockSize);
            }
            blockHashes = blockHashes.clone();
            tokenIds = tokenIds.clone();
        }

        @Override
        public long[] blockHashes() {
            return blockHashes.clone();
        }

        @Override
        public int[] tokenIds() {
            return tokenIds.clone();
        }
    }

    /** Blocks no longer held by {@code medium}'s tier. */
    record BlockRemoved(long[] blockHashes, Medium medium) implements KvEvent {
        public BlockRemoved {
            if (blockHashes.length == 0) {
                throw KvbmException.invalid("blockHashes", "an empty list", "at least one hash");
            }
            blockHashes = blockHashes.clone();
        }

        @Override
        public long[] blockHashes() {
            return blockHashes.clone();
        }
    }

    /** Every tier was reset: no block is held anywhere. */
    record AllBlocksCleared() implements KvEvent {
    }
}
