package dev.kvbm.tier.disk.internal;

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
 * The one binding to libc of the disk module: every libc {@code downcallHandle} lives here. The static
 * initialiser probes once and keeps the failure so {@link #unavailabilityCause()} names the JVM flag.
 * Results are returned as {@code -errno} on failure, {@code >= 0} on success.
 */
@SuppressWarnings("restricted")
final class LibC {
    static final String MODULE = "dev.kvbm.tier.disk";
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EIO = 5;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;

    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 02000000;
    /** O_DIRECT differs between architectures (x86-64 and most others: 040000; arm64: 0200000). */
    static final int O_DIRECT = "aarch64".equals(System.getProperty("os.arch")) ? 0200000 : 040000;

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
        MethodHandle open = null;
        MethodHandle close = null;
        MethodHandle fallocate = null;
        MethodHandle ftruncate = null;
        MethodHandle syscall = null;
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        StructLayout captureLayout = null;
        VarHandle errno = null;
        String failure = null;
        try {
            if (!LibC.class.getModule().isNativeAccessEnabled()) {
                failure = nativeAccessMessage();
            } else if (!System.getProperty("os.name", "").startsWith("Linux")) {
                failure = "the disk tier needs Linux (O_DIRECT, fallocate); this is " + System.getProperty("os.name");
            } else {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                Linker.Option ccs = Linker.Option.captureCallState("errno");
                captureLayout = Linker.Option.captureStateLayout();
                errno = captureLayout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                // open(const char*, int, ...): the mode is the first variadic argument.
                open = linker.downcallHandle(libc.findOrThrow("open"), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), ccs,
                        Linker.Option.firstVariadicArg(2));
                close = linker.downcallHandle(libc.findOrThrow("close"),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), ccs);
                fallocate = linker.downcallHandle(libc.findOrThrow("fallocate"), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG), ccs);
                ftruncate = linker.downcallHandle(libc.findOrThrow("ftruncate"), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), ccs);
                // long syscall(long number, ...): io_uring has no libc wrapper; six variadic longs cover every call.
                syscall = linker.downcallHandle(libc.findOrThrow("syscall"), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), ccs,
                        Linker.Option.firstVariadicArg(1));
                mmap = linker.downcallHandle(libc.findOrThrow("mmap"), FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), ccs);
                munmap = linker.downcallHandle(libc.findOrThrow("munmap"), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), ccs);
            }
        } catch (IllegalCallerException e) {
            failure = nativeAccessMessage();
        } catch (RuntimeException | LinkageError e) {
            failure = "libc could not be bound through the FFM API: " + e;
        }
        OPEN = open;
        CLOSE = close;
        FALLOCATE = fallocate;
        FTRUNCATE = ftruncate;
        SYSCALL = syscall;
        MMAP = mmap;
        MUNMAP = munmap;
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

    static boolean isAvailable() {
        return FAILURE == null;
    }

    static Optional<String> unavailabilityCause() {
        return Optional.ofNullable(FAILURE);
    }

    private static void check() {
        if (FAILURE != null) {
            throw new IllegalStateException(FAILURE);
        }
    }

    /** {@code open(path, flags, mode)}: the descriptor, or {@code -errno}. */
    static int open(String path, int flags, int mode) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, mode);
            return fd >= 0 ? fd : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("open downcall failed", t);
        }
    }

    /** {@code close(fd)}: 0 or {@code -errno}. */
    static int close(int fd) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int rc = (int) CLOSE.invokeExact(state, fd);
            return rc == 0 ? 0 : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("close downcall failed", t);
        }
    }

    /** {@code fallocate(fd, 0, offset, length)}: 0 or {@code -errno}. */
    static int fallocate(int fd, long offset, long length) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int rc = (int) FALLOCATE.invokeExact(state, fd, 0, offset, length);
            return rc == 0 ? 0 : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("fallocate downcall failed", t);
        }
    }

    /** {@code ftruncate(fd, length)}: 0 or {@code -errno}. */
    static int ftruncate(int fd, long length) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int rc = (int) FTRUNCATE.invokeExact(state, fd, length);
            return rc == 0 ? 0 : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("ftruncate downcall failed", t);
        }
    }

    /** {@code syscall(number, a..f)}: the result, or {@code -errno}. */
    static long syscall(long number, long a, long b, long c, long d, long e, long f) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            long rc = (long) SYSCALL.invokeExact(state, number, a, b, c, d, e, f);
            return rc >= 0 ? rc : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("syscall downcall failed", t);
        }
    }

    /**
     * {@code mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, fd, offset)} as a segment of
     * {@code length} bytes; throws with the errno when the kernel refuses. {@link #munmap} releases it.
     */
    static MemorySegment mmapShared(int fd, long length, long offset) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment p = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, 0x1 | 0x2,
                    0x01 | 0x8000, fd, offset);
            if (p.address() == -1L) {
                throw new IllegalStateException("mmap of io_uring ring failed: " + errnoName((int) ERRNO.get(state, 0L)));
            }
            return p.reinterpret(length);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("mmap downcall failed", t);
        }
    }

    static void munmap(MemorySegment mapping) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int rc = (int) MUNMAP.invokeExact(state, mapping, mapping.byteSize());
            assert rc >= -1;
        } catch (Throwable t) {
            throw new IllegalStateException("munmap downcall failed", t);
        }
    }

    static String errnoName(int errno) {
        int e = Math.abs(errno);
        return switch (e) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EIO -> "EIO";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 17 -> "EEXIST";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case ENOSYS -> "ENOSYS";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            default -> "errno " + e;
        };
    }
}
