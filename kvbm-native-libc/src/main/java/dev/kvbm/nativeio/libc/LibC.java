package dev.kvbm.nativeio.libc;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
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
 * The one binding of kvbm to libc: every libc {@code downcallHandle} (and the restricted {@code reinterpret}s)
 * lives here, for the host tier (mlock, munlock, getrlimit, memcpy) and the disk tier (open, close, fallocate,
 * ftruncate, syscall, mmap, munmap). The static initialiser probes once and keeps the failure, so
 * {@link #unavailabilityCause()} names the missing JVM flag. System-call results are returned as {@code -errno}
 * on failure, {@code >= 0} on success; a failed downcall (or a call while unavailable) throws a
 * {@link KvbmException} with {@link ErrorCode#NATIVE_FAILURE} and the cause.
 */
@SuppressWarnings("restricted")
public final class LibC {
    /** The module name users must pass to {@code --enable-native-access}. */
    public static final String MODULE = "dev.kvbm.nativeio.libc";

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ENOSYS = 38;
    public static final int EOPNOTSUPP = 95;

    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 02000000;
    /** O_DIRECT differs between architectures (x86-64 and most others: 040000; arm64: 0200000). */
    public static final int O_DIRECT = "aarch64".equals(System.getProperty("os.arch")) ? 0200000 : 040000;

    /** {@code RLIMIT_MEMLOCK} on Linux. */
    static final int RLIMIT_MEMLOCK = 8;
    /** {@code RLIM_INFINITY} on Linux (all bits set). */
    static final long RLIM_INFINITY = -1L;

    private static final MethodHandle MLOCK;
    private static final MethodHandle MUNLOCK;
    private static final MethodHandle GETRLIMIT;
    private static final MethodHandle MEMCPY;
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle FALLOCATE;
    private static final MethodHandle FTRUNCATE;
    private static final MethodHandle SYSCALL;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final StructLayout CAPTURE_LAYOUT;
    private static final VarHandle ERRNO;
    private static final String FAILURE;

    static {
        MethodHandle[] h = new MethodHandle[11];
        StructLayout captureLayout = null;
        VarHandle errno = null;
        String failure = null;
        try {
            // Under the JDK's default (--illegal-native-access=warn) a restricted call would only print a
            // warning; refuse instead, so the distribution never warns and the cause names the flag.
            if (!LibC.class.getModule().isNativeAccessEnabled()) {
                failure = nativeAccessMessage(MODULE);
            } else {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                Linker.Option ccs = Linker.Option.captureCallState("errno");
                captureLayout = Linker.Option.captureStateLayout();
                errno = captureLayout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                ValueLayout i = ValueLayout.JAVA_INT;
                ValueLayout l = ValueLayout.JAVA_LONG;
                ValueLayout a = ValueLayout.ADDRESS;
                FunctionDescriptor lockDesc = FunctionDescriptor.of(i, a, l);
                h[0] = linker.downcallHandle(libc.findOrThrow("mlock"), lockDesc, ccs);
                h[1] = linker.downcallHandle(libc.findOrThrow("munlock"), lockDesc, ccs);
                h[2] = linker.downcallHandle(libc.findOrThrow("getrlimit"), FunctionDescriptor.of(i, i, a), ccs);
                h[3] = linker.downcallHandle(libc.findOrThrow("memcpy"), FunctionDescriptor.of(a, a, a, l));
                // open(const char*, int, ...): the mode is the first variadic argument.
                h[4] = linker.downcallHandle(libc.findOrThrow("open"), FunctionDescriptor.of(i, a, i, i), ccs,
                        Linker.Option.firstVariadicArg(2));
                h[5] = linker.downcallHandle(libc.findOrThrow("close"), FunctionDescriptor.of(i, i), ccs);
                h[6] = linker.downcallHandle(libc.findOrThrow("fallocate"), FunctionDescriptor.of(i, i, i, l, l), ccs);
                h[7] = linker.downcallHandle(libc.findOrThrow("ftruncate"), FunctionDescriptor.of(i, i, l), ccs);
                // long syscall(long number, ...): io_uring has no libc wrapper; six variadic longs cover every call.
                h[8] = linker.downcallHandle(libc.findOrThrow("syscall"), FunctionDescriptor.of(l, l, l, l, l, l, l, l),
                        ccs, Linker.Option.firstVariadicArg(1));
                h[9] = linker.downcallHandle(libc.findOrThrow("mmap"), FunctionDescriptor.of(a, a, l, i, i, i, l), ccs);
                h[10] = linker.downcallHandle(libc.findOrThrow("munmap"), FunctionDescriptor.of(i, a, l), ccs);
            }
        } catch (IllegalCallerException e) {
            failure = nativeAccessMessage(MODULE);
        } catch (RuntimeException | LinkageError e) {
            failure = "libc could not be bound through the FFM API: " + e;
        }
        MLOCK = h[0];
        MUNLOCK = h[1];
        GETRLIMIT = h[2];
        MEMCPY = h[3];
        OPEN = h[4];
        CLOSE = h[5];
        FALLOCATE = h[6];
        FTRUNCATE = h[7];
        SYSCALL = h[8];
        MMAP = h[9];
        MUNMAP = h[10];
        CAPTURE_LAYOUT = captureLayout;
        ERRNO = errno;
        FAILURE = failure;
    }

    private LibC() {
    }

    /** The message of a module without native access: the module-path flag and the class-path one. */
    public static String nativeAccessMessage(String module) {
        return "native access is not enabled for module " + module + "; run java with --enable-native-access="
                + module + " (on the module path) or --enable-native-access=ALL-UNNAMED (on the class path)";
    }

    public static boolean isAvailable() {
        return FAILURE == null;
    }

    public static Optional<String> unavailabilityCause() {
        return Optional.ofNullable(FAILURE);
    }

    private static void check() {
        if (FAILURE != null) {
            throw new KvbmException(ErrorCode.NATIVE_FAILURE, FAILURE);
        }
    }

    private static KvbmException failed(String call, Throwable t) {
        return new KvbmException(ErrorCode.NATIVE_FAILURE, call + " downcall failed: " + t, t);
    }

    /**
     * A segment of {@code size} bytes at {@code address} in the lifetime of {@code arena}: closing the
     * arena makes every access through the segment fail instead of touching freed memory.
     */
    public static MemorySegment segment(long address, long size, Arena arena) {
        check();
        return MemorySegment.ofAddress(address).reinterpret(size, arena, null);
    }

    /** {@code mlock(segment)}: 0 on success, else errno. */
    public static int mlock(MemorySegment segment) {
        return lockCall("mlock", MLOCK, segment);
    }

    /** {@code munlock(segment)}: 0 on success, else errno. */
    public static int munlock(MemorySegment segment) {
        return lockCall("munlock", MUNLOCK, segment);
    }

    private static int lockCall(String call, MethodHandle handle, MemorySegment segment) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int rc = (int) handle.invokeExact(state, segment, segment.byteSize());
            return rc == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw failed(call, t);
        }
    }

    /** The soft {@code RLIMIT_MEMLOCK} in bytes; {@code Long.MAX_VALUE} when unlimited, -1 when unreadable. */
    public static long memlockLimit() {
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
            throw failed("getrlimit", t);
        }
    }

    /** {@code memcpy(dst, src, bytes)} on native segments; bounds are the caller's job. */
    public static void memcpy(MemorySegment dst, MemorySegment src, long bytes) {
        check();
        try {
            MemorySegment unused = (MemorySegment) MEMCPY.invokeExact(dst, src, bytes);
            assert unused != null;
        } catch (Throwable t) {
            throw failed("memcpy", t);
        }
    }

    /** {@code open(path, flags, mode)}: the descriptor, or {@code -errno}. */
    public static int open(String path, int flags, int mode) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, mode);
            return fd >= 0 ? fd : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw failed("open", t);
        }
    }

    /** {@code close(fd)}: 0 or {@code -errno}. */
    public static int close(int fd) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int rc = (int) CLOSE.invokeExact(state, fd);
            return rc == 0 ? 0 : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw failed("close", t);
        }
    }

    /** {@code fallocate(fd, 0, offset, length)}: 0 or {@code -errno}. */
    public static int fallocate(int fd, long offset, long length) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int rc = (int) FALLOCATE.invokeExact(state, fd, 0, offset, length);
            return rc == 0 ? 0 : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw failed("fallocate", t);
        }
    }

    /** {@code ftruncate(fd, length)}: 0 or {@code -errno}. */
    public static int ftruncate(int fd, long length) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int rc = (int) FTRUNCATE.invokeExact(state, fd, length);
            return rc == 0 ? 0 : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw failed("ftruncate", t);
        }
    }

    /** {@code syscall(number, a..f)}: the result, or {@code -errno}. */
    public static long syscall(long number, long a, long b, long c, long d, long e, long f) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            long rc = (long) SYSCALL.invokeExact(state, number, a, b, c, d, e, f);
            return rc >= 0 ? rc : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw failed("syscall", t);
        }
    }

    /**
     * {@code mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, fd, offset)} as a segment of
     * {@code length} bytes; throws with the errno when the kernel refuses. {@link #munmap} releases it.
     */
    public static MemorySegment mmapShared(int fd, long length, long offset) {
        check();
        int err;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment p = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, 0x1 | 0x2,
                    0x01 | 0x8000, fd, offset);
            if (p.address() != -1L) {
                return p.reinterpret(length);
            }
            err = (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw failed("mmap", t);
        }
        throw new KvbmException(ErrorCode.NATIVE_FAILURE, "mmap of " + length + " bytes of fd " + fd + " failed: "
                + errnoName(err));
    }

    /** {@code munmap(mapping)}: 0 or {@code -errno}. */
    public static int munmap(MemorySegment mapping) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int rc = (int) MUNMAP.invokeExact(state, mapping, mapping.byteSize());
            return rc == 0 ? 0 : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw failed("munmap", t);
        }
    }

    /** A short name for an errno value (either sign). */
    public static String errnoName(int errno) {
        int e = Math.abs(errno);
        return switch (e) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EIO -> "EIO";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case 13 -> "EACCES";
            case 17 -> "EEXIST";
            case EINVAL -> "EINVAL";
            case EFBIG -> "EFBIG";
            case ENOSPC -> "ENOSPC";
            case ENOSYS -> "ENOSYS";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            default -> "errno " + e;
        };
    }
}
