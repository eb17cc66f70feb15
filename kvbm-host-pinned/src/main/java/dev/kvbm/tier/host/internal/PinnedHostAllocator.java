package dev.kvbm.tier.host.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.AccountingStorageAllocator;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.HostMemoryRegistrar;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tier.host.HostTierOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.io.SingleThreadedChecked;

/**
 * Allocates page-locked host memory: a Chronicle native store, aligned up to the page (or the asked
 * alignment), first-touched and mlocked in chunks by several threads, then registered with the
 * {@link HostMemoryRegistrar} of its tier configuration. When mlock is refused, the region stays pageable: one warning per process
 * names RLIMIT_MEMLOCK and how to raise it, and the storage's {@code pinned()} is false.
 */
final class PinnedHostAllocator extends AccountingStorageAllocator {
    private static final System.Logger LOG = System.getLogger(PinnedHostAllocator.class.getName());
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();
    /** How long an allocation waits for its touch threads to stop after one of them failed. */
    private static final java.time.Duration TOUCH_JOIN_TIMEOUT = java.time.Duration.ofMinutes(2);

    private final long chunkBytes;
    private final int touchThreads;
    private final boolean lock;
    private final MemoryLocker locker;
    private final HostMemoryRegistrar registrar;
    private volatile String lastPinFailure;
    private volatile long lastAllocationNanos = -1;

    PinnedHostAllocator(long limit, long chunkBytes, int touchThreads, boolean lock, MemoryLocker locker,
                        HostMemoryRegistrar registrar) {
        super(StorageKind.PINNED, limit, HostTierOptions.LIMIT_BYTES);
        this.chunkBytes = Math.max(HostTierOptions.PAGE_BYTES, chunkBytes & -HostTierOptions.PAGE_BYTES);
        this.touchThreads = Math.max(1, touchThreads);
        this.lock = lock;
        this.locker = locker;
        this.registrar = registrar == HostMemoryRegistrar.NONE ? null : registrar;
    }

    /** The warning of the last allocation that fell back to pageable memory, or null. */
    String lastPinFailure() {
        return lastPinFailure;
    }

    /** Nanoseconds the last allocation took, or -1 before the first. */
    long lastAllocationNanos() {
        return lastAllocationNanos;
    }

    @Override
    protected Storage allocateReserved(long bytes, long alignment, long reserved) {
        long start = System.nanoTime();
        long align = Math.max(alignment, HostTierOptions.PAGE_BYTES);
        BytesStore<?, Void> store;
        try {
            store = ChronicleMemory.allocate(Math.addExact(bytes, align - 1));
        } catch (RuntimeException | OutOfMemoryError e) {
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot allocate " + bytes
                    + " bytes of host memory through Chronicle Bytes: " + e.getMessage(), e);
        }
        Arena arena = Arena.ofShared();
        List<MemorySegment> chunks = List.of();
        List<MemorySegment> registered = new ArrayList<>();
        boolean[] locked = null;
        try {
            if (store instanceof SingleThreadedChecked checked) {
                checked.singleThreadedCheckDisabled(true); // allocated here, closed from whichever thread owns it
            }
            long base = store.addressForWrite(0);
            long aligned = (base + align - 1) & -align;
            MemorySegment segment = LibC.segment(aligned, bytes, arena);
            long chunk = chunkBytes;
            if (registrar != null) {
                long max = registrar.maxChunkBytes() & -HostTierOptions.PAGE_BYTES;
                chunk = Math.min(chunk, Math.max(HostTierOptions.PAGE_BYTES, max));
            }
            chunks = split(segment, chunk);
            locked = new boolean[chunks.size()];
            int[] errno = new int[1];
            touchAndLock(chunks, locked, errno);
            boolean pinned = lock && errno[0] == 0;
            String failure = null;
            if (!pinned) {
                unlockAll(chunks, locked);
                failure = lock ? mlockWarning(bytes, locker.memlockLimit(), errno[0])
                        : "mlock disabled by " + HostTierOptions.MLOCK + "=false; the region is pageable";
                if (lock && WARNED.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.WARNING, failure);
                }
                lastPinFailure = failure;
            }
            if (registrar != null) {
                for (MemorySegment c : chunks) {
                    registrar.register(c);
                    registered.add(c);
                }
            }
            long nanos = System.nanoTime() - start;
            lastAllocationNanos = nanos;
            PinnedHostStorage s = new PinnedHostStorage(store, arena, segment, chunks, pinned, failure, registrar,
                    locker, nanos, this::released);
            LOG.log(System.Logger.Level.INFO, () -> String.format(java.util.Locale.ROOT,
                    "allocated %d bytes of %s host memory in %d chunk(s) of <= %d bytes in %.1f ms (%d thread(s))",
                    bytes, pinned ? "page-locked" : "pageable", s.chunks().size(), s.chunks().getFirst().byteSize(),
                    nanos / 1e6, Math.min(touchThreads, s.chunks().size())));
            return s;
        } catch (RuntimeException | Error e) {
            for (int i = registered.size() - 1; i >= 0; i--) {
                try {
                    registrar.unregister(registered.get(i));
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (locked != null) {
                unlockAll(chunks, locked);
            }
            arena.close();
            store.releaseLast();
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "cannot allocate " + bytes
                    + " bytes of pinned host memory: " + e, e);
        }
    }

    static List<MemorySegment> split(MemorySegment segment, long chunk) {
        List<MemorySegment> chunks = new ArrayList<>();
        for (long off = 0; off < segment.byteSize(); off += chunk) {
            chunks.add(segment.asSlice(off, Math.min(chunk, segment.byteSize() - off)));
        }
        return chunks;
    }

    /** Writes every page of every chunk (first touch) and mlocks it, several chunks at a time. */
    private void touchAndLock(List<MemorySegment> chunks, boolean[] locked, int[] errno) {
        AtomicBoolean lockFailed = new AtomicBoolean(!lock);
        int threads = Math.min(touchThreads, chunks.size());
        List<Runnable> tasks = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            int index = i;
            tasks.add(() -> {
                MemorySegment c = chunks.get(index);
                c.fill((byte) 0);
                if (!lockFailed.get()) {
                    int rc = locker.lock(c);
                    if (rc == 0) {
                        locked[index] = true;
                    } else if (lockFailed.compareAndSet(false, true)) {
                        errno[0] = rc;
                    }
                }
            });
        }
        if (threads <= 1) {
            tasks.forEach(Runnable::run);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "kvbm-host-touch-" + THREAD_IDS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Runnable task : tasks) {
                futures.add(pool.submit(task));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "interrupted while touching host memory", e);
        } catch (ExecutionException e) {
            throw new KvbmException(ErrorCode.ALLOCATION_FAILED, "touching host memory failed: " + e.getCause(),
                    e.getCause());
        } finally {
            // After one task failed the others still touch the chunks: the caller frees them only once they stopped.
            pool.shutdownNow();
            awaitTouchers(pool);
        }
    }

    private static void awaitTouchers(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(TOUCH_JOIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "host memory touch threads still running after "
                        + TOUCH_JOIN_TIMEOUT + "; leaving them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void unlockAll(List<MemorySegment> chunks, boolean[] locked) {
        for (int i = 0; i < chunks.size(); i++) {
            if (locked[i]) {
                locker.unlock(chunks.get(i));
                locked[i] = false;
            }
        }
    }

    /** The one warning of a refused mlock: the limit, and the three usual ways to raise it. */
    static String mlockWarning(long requested, long memlockLimit, int errno) {
        String limit = memlockLimit < 0 ? "unknown" : Options.bytes(memlockLimit);
        return "mlock of " + requested + " bytes of host memory failed (" + LibC.errnoName(errno)
                + "): RLIMIT_MEMLOCK is " + limit + ". Continuing with pageable memory (host-pinned is NOT pinned;"
                + " device copies will be staged and slower). Raise the limit: 'ulimit -l unlimited' in the shell"
                + " that starts kvbm, LimitMEMLOCK=infinity in the systemd unit, or 'docker run --ulimit memlock=-1'"
                + " (or grant CAP_IPC_LOCK).";
    }
}
