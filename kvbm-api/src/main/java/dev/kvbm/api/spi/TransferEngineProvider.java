package dev.kvbm.api.spi;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A way of moving bytes (memcpy, positional file I/O, io_uring, CUDA copies, NIXL, cuFile). For each
 * (source kind, target kind) pair it states a preference; the core uses the available provider with
 * the highest preference for each path.
 */
public interface TransferEngineProvider extends KvbmProvider {

    /** The preference value of a path the provider does not serve. */
    int UNSUPPORTED = -1;

    /** How much this provider should be preferred for the path, or {@link #UNSUPPORTED}. */
    int preference(StorageKind source, StorageKind target);

    /** The paths with a preference, for listings. */
    default Set<Path> paths() {
        Set<Path> paths = new java.util.LinkedHashSet<>();
        for (StorageKind s : EnumSet.allOf(StorageKind.class)) {
            for (StorageKind t : EnumSet.allOf(StorageKind.class)) {
                if (preference(s, t) > UNSUPPORTED) {
                    paths.add(new Path(s, t));
                }
            }
        }
        return paths;
    }

    /**
     * Measures this engine against its physical reference (libc {@code memcpy} for host copies) in this run, over
     * {@code blocks} blocks of {@code blockBytes} bytes, {@code iterations} times; empty when the engine has no
     * reference it can measure by itself. Callers such as {@code kvbm replay} print it next to their own figures.
     */
    default Optional<ReferenceCopy> measureReference(long blockBytes, int blocks, int iterations) {
        return Optional.empty();
    }

    /** A new engine; {@code options} are provider-specific (thread counts, library paths). */
    TransferEngine create(Map<String, String> options);

    /** A (source, target) storage-kind pair. */
    record Path(StorageKind source, StorageKind target) {
        @Override
        public String toString() {
            return source + "->" + target;
        }
    }
}
