package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.AbstractTransferEngine;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.FileStorage;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.nativeio.libc.LibC;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Host <-> disk through io_uring: one ring and one submitter thread per engine keep up to {@code depth}
 * reads or writes in flight across all transfers, straight between host memory and the file (the file's
 * descriptor, O_DIRECT). A short completion is resubmitted for the rest; a completion of 0 bytes (end of
 * file) or an error fails its transfer. Transfers whose extents are not aligned to the file's I/O alignment
 * go to the {@code posix} engine, which bounces them.
 *
 * <p>The submitter thread starts with the first transfer. Queueing and close are serialized and the thread
 * leaves only once closed with nothing queued or in flight, so every accepted transfer completes; one still
 * queued when close() gives up waiting (a device that stopped answering) fails with {@code TRANSFER_FAILED}.
 */
final class IoUringTransferEngine extends AbstractTransferEngine {
    private final IoUring ring;
    private final int depth;
    private final PosixTransferEngine fallback;
    /** How long close() waits for the transfers in flight before it gives up on them. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Object lock = new Object();
    private Thread thread; // guarded by lock; started by the first transfer

    /** One transfer's remaining I/O. */
    private static final class Job {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        final ArrayDeque<long[]> todo = new ArrayDeque<>(); // {fd, fileOffset, address, length, write}
        int inFlight;
        Throwable error;
    }

    IoUringTransferEngine(int depth, int fallbackThreads) {
        super("io_uring disk", null); // one ring thread of its own, no pool
        this.ring = IoUring.create(Math.max(depth, 1));
        this.depth = Math.min(depth, ring.entries);
        this.fallback = new PosixTransferEngine(fallbackThreads);
    }

    /** The submitter thread, null until the first transfer (tests). */
    Thread thread() {
        synchronized (lock) {
            return thread;
        }
    }

    /** Bytes the posix fallback bounced (unaligned transfers). */
    long fallbackBouncedBytes() {
        return fallback.bouncedBytes();
    }

    @Override
    protected CompletableFuture<Void> start(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        IoPlan plan = IoPlan.of(source, target, pairs);
        boolean write = plan.direction == IoPlan.Direction.WRITE;
        PhysicalLayout host = write ? source : target;
        PhysicalLayout file = write ? target : source;
        Job job = new Job();
        for (List<IoPlan.Extent> group : plan.groups) {
            for (IoPlan.Extent e : group) {
                FileStorage f = (FileStorage) file.storage(e.file());
                long address = ((HostMemoryStorage) host.storage(e.host())).segment().address() + e.hostOffset();
                long a = Math.max(1, f.ioAlignment());
                if (f.fileDescriptor() < 0 || (address | e.fileOffset() | e.length()) % a != 0) {
                    return fallback.transfer(source, target, pairs); // the bounce buffer lives there
                }
                for (long done = 0; done < e.length(); done += PosixTransferEngine.MAX_IO) {
                    job.todo.add(new long[] {f.fileDescriptor(), e.fileOffset() + done, address + done,
                            Math.min(PosixTransferEngine.MAX_IO, e.length() - done), write ? 1 : 0});
                }
            }
        }
        if (job.todo.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        synchronized (lock) { // against onClose(): the thread leaves only with nothing queued
            if (isClosed()) {
                return CompletableFuture.failedFuture(closedFailure());
            }
            queue.add(job);
            if (thread == null) {
                thread = Thread.ofPlatform().daemon().name("kvbm-io-uring").start(this::loop);
            }
        }
        return job.future;
    }

    private void loop() {
        ArrayDeque<Job> active = new ArrayDeque<>();
        Map<Long, Object[]> ops = new HashMap<>(); // tag -> {job, op}
        long nextTag = 0;
        int inFlight = 0;
        while (true) {
            try {
                if (active.isEmpty() && inFlight == 0) {
                    Job j = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (j == null) {
                        if (closedAndDrained()) {
                            return;
                        }
                        continue;
                    }
                    active.add(j);
                }
                queue.drainTo(active);
                int prepared = 0;
                while (inFlight + prepared < depth && !active.isEmpty()) {
                    Job j = active.peek();
                    long[] op = j.todo.poll();
                    if (op == null) {
                        active.poll(); // all of it submitted; completions finish it
                        continue;
                    }
                    long tag = nextTag++;
                    ring.prepare(op[4] == 1 ? IoUring.OP_WRITE : IoUring.OP_READ, (int) op[0], op[1], op[2],
                            (int) op[3], tag);
                    ops.put(tag, new Object[] {j, op});
                    j.inFlight++;
                    prepared++;
                }
                ring.enter(prepared, inFlight + prepared > 0 ? 1 : 0);
                inFlight += prepared;
                inFlight -= ring.reap(c -> complete(ops.remove(c.userData()), c.result()));
            } catch (InterruptedException e) {
                // Only close() interrupts, once its bound ran out: fail what waits rather than strand it.
                KvbmException closedNow = closedFailure();
                ops.values().forEach(op -> ((Job) op[0]).future.completeExceptionally(closedNow));
                active.forEach(j -> j.future.completeExceptionally(closedNow));
                failQueued();
                return;
            } catch (RuntimeException e) {
                // The ring itself failed: fail everything that waits, keep no thread dead silently.
                for (Object[] op : ops.values()) {
                    ((Job) op[0]).future.completeExceptionally(failure(e));
                }
                ops.clear();
                inFlight = 0;
                active.forEach(j -> j.future.completeExceptionally(failure(e)));
                active.clear();
            }
        }
    }

    private boolean closedAndDrained() {
        synchronized (lock) {
            return isClosed() && queue.isEmpty();
        }
    }

    private void failQueued() {
        KvbmException closedNow = closedFailure();
        Job j;
        while ((j = queue.poll()) != null) {
            j.future.completeExceptionally(closedNow);
        }
    }

    private void complete(Object[] entry, int result) {
        Job job = (Job) entry[0];
        long[] op = (long[]) entry[1];
        job.inFlight--;
        if (result < 0) {
            job.error = new KvbmException(ErrorCode.IO_ERROR, (op[4] == 1 ? "write" : "read") + " of " + op[3]
                    + " bytes at offset " + op[1] + " failed: " + LibC.errnoName(-result));
        } else if (result == 0) {
            job.error = new KvbmException(ErrorCode.IO_ERROR, "short " + (op[4] == 1 ? "write" : "read") + " at offset "
                    + op[1] + ": " + op[3] + " bytes missing (end of file)");
        } else if (result < op[3]) {
            // the rest goes again, first
            job.todo.addFirst(new long[] {op[0], op[1] + result, op[2] + result, op[3] - result, op[4]});
        }
        if (job.error != null) {
            job.todo.clear();
        }
        if (job.inFlight == 0 && job.todo.isEmpty()) {
            if (job.error == null) {
                job.future.complete(null);
            } else {
                job.future.completeExceptionally(failure(job.error));
            }
        }
    }

    /**
     * New transfers are refused already (the base class closed first); lets the queued and in-flight ones
     * finish (waiting at most {@link #CLOSE_TIMEOUT}), then fails whatever is left and releases the ring
     * once its thread is gone.
     */
    @Override
    protected void onClose() {
        Thread t;
        synchronized (lock) { // a transfer queued before this saw the engine open, so the thread drains it
            t = thread;
        }
        boolean stopped = t == null;
        if (t != null) {
            try {
                t.join(CLOSE_TIMEOUT);
                if (t.isAlive()) {
                    t.interrupt(); // the loop fails what it holds and leaves
                    t.join(CLOSE_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped = !t.isAlive();
            failQueued();
        }
        if (stopped) {
            ring.close(); // the kernel may still write into the ring's memory while the thread waits in it
        }
        fallback.close();
    }
}
