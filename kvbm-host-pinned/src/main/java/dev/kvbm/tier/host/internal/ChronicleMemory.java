package dev.kvbm.tier.host.internal;

import java.util.Optional;
import net.openhft.chronicle.bytes.BytesStore;

/**
 * Off-heap allocation through Chronicle Bytes. The first use loads Chronicle Core, whose static
 * initialisers reach into {@code java.base}; without the {@code --add-opens}/{@code --add-exports}
 * flags that fails, and the failure is kept here so the provider can name the flags.
 */
final class ChronicleMemory {
    /** The flags Chronicle Core needs on JDK 25 (see the root pom's {@code kvbm.jvm.args}). */
    static final String FLAGS_MODULE = "--add-opens=java.base/java.lang.reflect=chronicle.core "
            + "--add-exports=java.base/jdk.internal.ref=chronicle.core --add-exports=java.base/sun.nio.ch=chronicle.core "
            + "--sun-misc-unsafe-memory-access=allow";
    static final String FLAGS_UNNAMED = FLAGS_MODULE.replace("=chronicle.core", "=ALL-UNNAMED");

    private static final String FAILURE = probe();

    private ChronicleMemory() {
    }

    private static String probe() {
        try {
            BytesStore<?, Void> store = BytesStore.lazyNativeBytesStoreWithFixedCapacity(4096);
            try {
                if (store.addressForRead(0) == 0) {
                    return "Chronicle Bytes returned a null address for a 4096-byte native store";
                }
            } finally {
                store.releaseLast();
            }
            return null;
        } catch (LinkageError | RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return "Chronicle Bytes cannot allocate native memory (" + root + "); on JDK 25 Chronicle Core needs "
                    + FLAGS_MODULE + " (module path), or the same flags with ALL-UNNAMED in place of chronicle.core"
                    + " (class path): " + FLAGS_UNNAMED;
        }
    }

    static Optional<String> unavailabilityCause() {
        return Optional.ofNullable(FAILURE);
    }

    /** A fixed-capacity native store of {@code bytes} bytes, not zeroed (the caller touches it). */
    static BytesStore<?, Void> allocate(long bytes) {
        if (FAILURE != null) {
            throw new IllegalStateException(FAILURE);
        }
        return BytesStore.lazyNativeBytesStoreWithFixedCapacity(bytes);
    }
}
