package dev.kvbm.tier.host;

import dev.kvbm.nativeio.libc.LibC;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * libc {@code memcpy} through the FFM API: the physical reference every host-copy measurement reports
 * beside its own figure. Needs {@code --enable-native-access=dev.kvbm.nativeio.libc} (module path) or
 * {@code --enable-native-access=ALL-UNNAMED} (class path).
 */
public final class LibcMemcpy {
    private LibcMemcpy() {
    }

    /** Whether libc could be bound. */
    public static boolean isAvailable() {
        return LibC.isAvailable();
    }

    /** Why not, naming the JVM flag, when not. */
    public static Optional<String> unavailabilityCause() {
        return LibC.unavailabilityCause();
    }

    /**
     * Copies {@code bytes} from {@code source} at {@code sourceOffset} to {@code target} at
     * {@code targetOffset} with one libc {@code memcpy}. Both segments must be native and alive, the
     * ranges in bounds (checked) and not overlapping.
     *
     * @throws IllegalArgumentException  when a segment is on the heap
     * @throws IndexOutOfBoundsException when a range is out of bounds
     * @throws dev.kvbm.api.KvbmException {@code NATIVE_FAILURE} when libc is unavailable
     * @throws IllegalStateException     when a segment is closed
     */
    public static void copy(MemorySegment source, long sourceOffset, MemorySegment target, long targetOffset,
                            long bytes) {
        if (!source.isNative() || !target.isNative()) {
            throw new IllegalArgumentException("libc memcpy needs native segments");
        }
        if (target.isReadOnly()) {
            throw new IllegalArgumentException("target segment is read-only");
        }
        MemorySegment from = source.asSlice(sourceOffset, bytes);
        MemorySegment to = target.asSlice(targetOffset, bytes);
        LibC.memcpy(to, from, bytes);
    }

    /** Copies all of {@code source} to the start of {@code target}. */
    public static void copy(MemorySegment source, MemorySegment target) {
        copy(source, 0, target, 0, source.byteSize());
    }
}
