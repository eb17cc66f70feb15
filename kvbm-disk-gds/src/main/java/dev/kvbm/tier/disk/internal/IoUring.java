package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.nativeio.libc.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance through raw syscalls ({@code io_uring_setup} 425, {@code io_uring_enter} 426) and
 * mmap of the submission and completion rings, for one thread at a time. Layouts are the kernel's
 * ({@code struct io_uring_params}, {@code io_uring_sqe}, {@code io_uring_cqe}); ring indices are read with
 * acquire and published with release semantics, as liburing does.
 */
final class IoUring implements AutoCloseable {
    static final long SYS_SETUP = 425;
    static final long SYS_ENTER = 426;
    static final int OP_READ = 22;
    static final int OP_WRITE = 23;
    private static final int ENTER_GETEVENTS = 1;
    private static final int FEAT_SINGLE_MMAP = 1;
    private static final long OFF_SQ_RING = 0;
    private static final long OFF_CQ_RING = 0x8000000L;
    private static final long OFF_SQES = 0x10000000L;
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final int fd;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;
    private final MemorySegment sqes;
    private final int sqHead;
    private final int sqTail;
    private final int sqMask;
    private final int sqArray;
    private final int cqHead;
    private final int cqTail;
    private final int cqMask;
    private final int cqes;
    final int entries;

    /** A completion: the submitter's tag and the result (bytes, or {@code -errno}). */
    record Completion(long userData, int result) {
    }

    private IoUring(int fd, MemorySegment params) {
        this.fd = fd;
        this.entries = params.get(ValueLayout.JAVA_INT, 0);
        int cqEntries = params.get(ValueLayout.JAVA_INT, 4);
        int features = params.get(ValueLayout.JAVA_INT, 20);
        sqHead = params.get(ValueLayout.JAVA_INT, 40);
        sqTail = params.get(ValueLayout.JAVA_INT, 44);
        int sqMaskOff = params.get(ValueLayout.JAVA_INT, 48);
        sqArray = params.get(ValueLayout.JAVA_INT, 64);
        cqHead = params.get(ValueLayout.JAVA_INT, 80);
        cqTail = params.get(ValueLayout.JAVA_INT, 84);
        int cqMaskOff = params.get(ValueLayout.JAVA_INT, 88);
        cqes = params.get(ValueLayout.JAVA_INT, 100);
        long sqSize = sqArray + 4L * entries;
        long cqSize = cqes + 16L * cqEntries;
        MemorySegment sq = null;
        MemorySegment cq = null;
        MemorySegment se = null;
        try {
            if ((features & FEAT_SINGLE_MMAP) != 0) {
                sq = LibC.mmapShared(fd, Math.max(sqSize, cqSize), OFF_SQ_RING);
                cq = sq;
            } else {
                sq = LibC.mmapShared(fd, sqSize, OFF_SQ_RING);
                cq = LibC.mmapShared(fd, cqSize, OFF_CQ_RING);
            }
            se = LibC.mmapShared(fd, 64L * entries, OFF_SQES);
        } catch (RuntimeException e) {
            if (sq != null) {
                LibC.munmap(sq);
            }
            if (cq != null && cq != sq) {
                LibC.munmap(cq);
            }
            LibC.close(fd);
            throw e;
        }
        this.sqRing = sq;
        this.cqRing = cq;
        this.sqes = se;
        this.sqMask = sq.get(ValueLayout.JAVA_INT, sqMaskOff);
        this.cqMask = cq.get(ValueLayout.JAVA_INT, cqMaskOff);
    }

    /** Sets up a ring of at least {@code entries} submissions; throws with the errno name when refused. */
    static IoUring create(int entries) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(120, 8); // struct io_uring_params, zeroed
            long fd = LibC.syscall(SYS_SETUP, entries, params.address(), 0, 0, 0, 0);
            if (fd < 0) {
                String why = switch ((int) -fd) {
                    case LibC.ENOSYS -> "ENOSYS: the kernel has no io_uring";
                    case LibC.EPERM -> "EPERM: io_uring is disabled here (sysctl kernel.io_uring_disabled, or a "
                            + "seccomp filter of the container)";
                    default -> LibC.errnoName((int) -fd);
                };
                throw new KvbmException(ErrorCode.NATIVE_FAILURE, "io_uring_setup failed: " + why);
            }
            return new IoUring((int) fd, params);
        }
    }

    /** Queues one read or write; false when the submission ring is full. */
    boolean prepare(int opcode, int fileFd, long fileOffset, long address, int length, long userData) {
        int head = (int) INT.getAcquire(sqRing, (long) sqHead);
        int tail = sqRing.get(ValueLayout.JAVA_INT, sqTail);
        if (tail - head >= entries) {
            return false;
        }
        int index = tail & sqMask;
        MemorySegment sqe = sqes.asSlice(64L * index, 64);
        sqe.fill((byte) 0);
        sqe.set(ValueLayout.JAVA_BYTE, 0, (byte) opcode);
        sqe.set(ValueLayout.JAVA_INT, 4, fileFd);
        sqe.set(ValueLayout.JAVA_LONG, 8, fileOffset);
        sqe.set(ValueLayout.JAVA_LONG, 16, address);
        sqe.set(ValueLayout.JAVA_INT, 24, length);
        sqe.set(ValueLayout.JAVA_LONG, 32, userData);
        sqRing.set(ValueLayout.JAVA_INT, sqArray + 4L * index, index);
        INT.setRelease(sqRing, (long) sqTail, tail + 1);
        return true;
    }

    /** Submits {@code toSubmit} queued entries and waits for at least {@code minComplete} completions. */
    void enter(int toSubmit, int minComplete) {
        while (true) {
            long rc = LibC.syscall(SYS_ENTER, fd, toSubmit, minComplete, minComplete > 0 ? ENTER_GETEVENTS : 0, 0, 0);
            if (rc >= 0) {
                return;
            }
            if (rc != -4) { // EINTR: try again
                throw new KvbmException(ErrorCode.NATIVE_FAILURE, "io_uring_enter failed: " + LibC.errnoName((int) -rc));
            }
        }
    }

    /** Takes every available completion. */
    int reap(java.util.function.Consumer<Completion> sink) {
        int head = cqRing.get(ValueLayout.JAVA_INT, cqHead);
        int tail = (int) INT.getAcquire(cqRing, (long) cqTail);
        int n = 0;
        while (head != tail) {
            MemorySegment cqe = cqRing.asSlice(cqes + 16L * (head & cqMask), 16);
            sink.accept(new Completion(cqe.get(ValueLayout.JAVA_LONG, 0), cqe.get(ValueLayout.JAVA_INT, 8)));
            head++;
            n++;
        }
        INT.setRelease(cqRing, (long) cqHead, head);
        return n;
    }

    @Override
    public void close() {
        LibC.munmap(sqes);
        if (cqRing != sqRing) {
            LibC.munmap(cqRing);
        }
        LibC.munmap(sqRing);
        LibC.close(fd);
    }
}
