package dev.kvbm.api.spi;

import dev.kvbm.api.KvbmException;

/** Copy block {@code source} of the source layout into block {@code target} of the target layout. */
public record BlockPair(int source, int target) {
    public BlockPair {
        if (source < 0) {
            throw KvbmException.invalid("source", source, ">= 0");
        }
        if (target < 0) {
            throw KvbmException.invalid("target", target, ">= 0");
        }
    }
}
