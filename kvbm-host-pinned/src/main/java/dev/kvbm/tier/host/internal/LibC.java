package dev.kvbm.tier.host.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * The one binding to libc of this module: every {@code downcallHandle} (and the one restricted
 * {@code reinterpret}) lives here. The static initialiser probes once and keeps the failure, so
 * {@link #unavailabilityCause()} can say exactly which JVM flag is missing.
 */
@SuppressWarnings("restricted")
public final class LibC {
    /** The module name users must pass to {@code --enable-native-access}. */
    public static final String MODULE = "dev.kvbm.tier.host";
    /** {@code RLIMIT_MEMLOCK} on Linux. */
    static final int RLIMIT_MEMLOCK = 8;
    /** {@code RLIM_INFINITY} on Linux (all bits set). */
    static final long RLIM_INFINITY = -1L;

    private static final MethodHandle MLOCK;
    private static final MethodHandle MUNLOCK;
    private static final MethodHandle GETRLIMIT;
    private static final MethodHandle MEMCPY;
    private static final StructLayout CAPTURE_LAYOUT;
    private static final VarHandle ERRNO;
    private static final String FAILURE;

    static {
        MethodHandle mlock = null;
        MethodHandle munlock = null;
        MethodHandle getrlimit = null;
        MethodHandle memcpy = null;
        StructLayout captureLayout = null;
        VarHandle errno = null;
        String failure = null;
        try {
            Module module = LibC.class.getModule();
            // Under the JDK's default (--illegal-native-access=warn) a restricted call would only print a
            // warning; refuse instead, so the distribution never warns and the cause names the flag.
            if (!module.isNativeAccessEnabled()) {
                failure = nativeAccessMessage();
            } else {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                Linker.Option ccs = Linker.Option.captureCallState("errno");
                captureLayout = Linker.Option.captureStateLayout();
                errno = captureLayout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                FunctionDescriptor lockDesc = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG);
                mlock = linker.downcallHandle(libc.findOrThrow("mlock"), lockDesc, ccs);
                munlock = linker.downcallHandle(libc.findOrThrow("munlock"), lockDesc, ccs);
                getrlimit = linker.downcallHandle(libc.findOrThrow("getrlimit"),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), ccs);
                memcpy = linker.downcallHandle(libc.findOrThrow("memcpy"),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                                ValueLayout.JAVA_LONG));
            }
        } catch (IllegalCallerException e) {
            failure = nativeAccessMessage();
        } catch (RuntimeException | LinkageError e) {
            failure = "libc could not be bound through the FFM API: " + e;
        }
        MLOCK = mlock;
        MUNLOCK = munlock;
        GETRLIMIT = getrlimit;
        MEMCPY = memcpy;
        CAPTURE_LAYOUT = captureLayout;
        ERRNO = errno;
        FAILURE = failure;
    }

    private LibC() {
    }

    static String nativeAccessMessage() {
        return "native access is not enabled for module " + MODULE + "; run java with --enable-native-access="
                + MODULE + " (on the module path) or --enable-native-access=ALL-UNNAMED (on the class path)";
    }

    public static boolean isAvailable() {
        return FAILURE == null;
    }

    public static Optional<String> unavailabilityCause() {
        return Optional.ofNullable(FAILURE);
    }

    private static void check() {
        if (FAILURE != null) {
            throw new IllegalStateException(FAILURE);
        }
    }

    /**
     * A segment of {@code size} bytes at {@code address} in the lifetime of {@code arena}: closing the
     * arena makes every access through the segment fail instead of touching freed memory.
     */
    static MemorySegment segment(long address, long size, Arena arena) {
        check();
        return MemorySegment.ofAddress(address).reinterpret(size, arena, null);
    }

    /** {@code mlock(segment)}: 0 on success, else errno. */
    static int mlock(MemorySegment segment) {
        return lockCall(MLOCK, segment);
    }

    /** {@code munlock(segment)}: 0 on success, else errno. */
    static int munlock(MemorySegment segment) {
        return lockCall(MUNLOCK, segment);
    }

    private static int lockCall(MethodHandle handle, MemorySegment segment) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int rc = (int) handle.invokeExact(state, segment, segment.byteSize());
            return rc == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("mlock/munlock downcall failed", t);
        }
    }

    /** The soft {@code RLIMIT_MEMLOCK} in bytes; {@code Long.MAX_VALUE} when unlimited, -1 when unreadable. */
    static long memlockLimit() {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment rlimit = arena.allocate(ValueLayout.JAVA_LONG, 2); // {rlim_cur, rlim_max}
            int rc = (int) GETRLIMIT.invokeExact(state, RLIMIT_MEMLOCK, rlimit);
            if (rc != 0) {
                return -1;
            }
            long soft = rlimit.getAtIndex(ValueLayout.JAVA_LONG, 0);
            return soft == RLIM_INFINITY ? Long.MAX_VALUE : soft;
        } catch (Throwable t) {
            throw new IllegalStateException("getrlimit downcall failed", t);
        }
    }

    /** {@code memcpy(dst, src, bytes)} on native segments; bounds are the caller's job. */
    public static void memcpy(MemorySegment dst, MemorySegment src, long bytes) {
        check();
        try {
            MemorySegment unused = (MemorySegment) MEMCPY.invokeExact(dst, src, bytes);
            assert unused != null;
        } catch (Throwable t) {
            throw new IllegalStateException("memcpy downcall failed", t);
        }
    }

    /** A short name for common errno values of mlock. */
    static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 22 -> "EINVAL";
            default -> "errno " + errno;
        };
    }
}
