package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.AbstractTransferEngine;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.EngineExecutor;
import dev.kvbm.api.spi.FileStorage;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Host <-> disk copies with positional reads and writes on the file's channel (O_DIRECT when the tier
 * opened it so), straight from and into the host memory when the host address, the file offset and the
 * length are multiples of the file's I/O alignment; through an aligned bounce buffer otherwise (a write
 * that covers a logical block only partly reads it first). Groups of the {@link IoPlan} run on a small
 * pool, so several requests are in flight. A short read, a short write or an I/O error fails the whole
 * transfer with {@code TRANSFER_FAILED}; the caller then does not register the targets. At most
 * {@code maxPendingTasks} groups wait or run; a transfer beyond that waits for room on the caller's thread.
 */
final class PosixTransferEngine extends AbstractTransferEngine {
    /** Tasks queued or running per worker thread before a transfer waits for room. */
    static final int PENDING_TASKS_PER_THREAD = 64;
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** The most bytes one read or write call moves (ByteBuffers are int-sized; smaller keeps latency even). */
    static final long MAX_IO = 16L << 20;
    private final int threads;
    private final AtomicLong bounced = new AtomicLong();
    private volatile IoPlan lastPlan;

    PosixTransferEngine(int threads) {
        this(threads, threads * PENDING_TASKS_PER_THREAD);
    }

    PosixTransferEngine(int threads, int maxPendingTasks) {
        super("posix disk", new EngineExecutor("kvbm-disk-io", threads, maxPendingTasks, CLOSE_TIMEOUT));
        this.threads = threads;
    }

    /** Tasks queued or running now (tests). */
    int pendingTasks() {
        return workers().pendingTasks();
    }

    /** Bytes that went through a bounce buffer so far (0 when every transfer was aligned). */
    long bouncedBytes() {
        return bounced.get();
    }

    IoPlan lastPlan() {
        return lastPlan;
    }

    @Override
    protected CompletableFuture<Void> start(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        IoPlan plan = IoPlan.of(source, target, pairs);
        lastPlan = plan;
        PhysicalLayout host = plan.direction == IoPlan.Direction.WRITE ? source : target;
        PhysicalLayout file = plan.direction == IoPlan.Direction.WRITE ? target : source;
        List<List<List<IoPlan.Extent>>> parts = plan.split(threads);
        if (parts.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<Runnable> tasks = new ArrayList<>(parts.size());
        for (List<List<IoPlan.Extent>> part : parts) {
            tasks.add(() -> run(plan.direction, part, host, file));
        }
        return runAll(tasks);
    }

    private void run(IoPlan.Direction direction, List<List<IoPlan.Extent>> groups, PhysicalLayout host,
                     PhysicalLayout file) {
        try (Arena arena = Arena.ofConfined()) {
            Bounce bounce = new Bounce(arena);
            for (List<IoPlan.Extent> group : groups) {
                for (IoPlan.Extent e : group) {
                    MemorySegment mem = ((HostMemoryStorage) host.storage(e.host())).segment();
                    FileStorage fs = (FileStorage) file.storage(e.file());
                    for (long done = 0; done < e.length(); ) {
                        long n = Math.min(MAX_IO, e.length() - done);
                        io(direction, mem, e.hostOffset() + done, fs, e.fileOffset() + done, n, bounce);
                        done += n;
                    }
                }
            }
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, e.getMessage(), e);
        }
    }

    private void io(IoPlan.Direction direction, MemorySegment mem, long memOffset, FileStorage fs, long fileOffset,
                    long length, Bounce bounce) throws IOException {
        long a = Math.max(1, fs.ioAlignment());
        MemorySegment slice = mem.asSlice(memOffset, length);
        if ((slice.address() | fileOffset | length) % a == 0) {
            if (direction == IoPlan.Direction.WRITE) {
                writeFully(fs, slice.asByteBuffer(), fileOffset);
            } else {
                readFully(fs, slice.asByteBuffer(), fileOffset);
            }
            return;
        }
        // Unaligned: move the covering logical blocks through an aligned buffer.
        long start = Math.floorDiv(fileOffset, a) * a;
        long end = Math.ceilDiv(fileOffset + length, a) * a;
        MemorySegment buf = bounce.get(end - start, a);
        bounced.addAndGet(length);
        if (direction == IoPlan.Direction.WRITE) {
            if (start != fileOffset || end != fileOffset + length) {
                readFully(fs, buf.asByteBuffer(), start); // keep the bytes of the edge blocks outside the extent
            }
            MemorySegment.copy(slice, 0, buf, fileOffset - start, length);
            writeFully(fs, buf.asByteBuffer(), start);
        } else {
            readFully(fs, buf.asByteBuffer(), start);
            MemorySegment.copy(buf, fileOffset - start, slice, 0, length);
        }
    }

    private static void writeFully(FileStorage fs, ByteBuffer b, long position) throws IOException {
        FileChannel ch = fs.channel();
        long pos = position;
        while (b.hasRemaining()) {
            int n = ch.write(b, pos);
            if (n <= 0) {
                throw new IOException("short write to " + fs.path() + " at offset " + pos + ": " + b.remaining()
                        + " bytes left");
            }
            pos += n;
        }
    }

    private static void readFully(FileStorage fs, ByteBuffer b, long position) throws IOException {
        FileChannel ch = fs.channel();
        long pos = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n <= 0) {
                throw new IOException("short read from " + fs.path() + " at offset " + pos + ": " + b.remaining()
                        + " bytes missing (end of file)");
            }
            pos += n;
        }
    }

    /** One aligned buffer per task, grown on demand. */
    private static final class Bounce {
        private final Arena arena;
        private MemorySegment segment;

        Bounce(Arena arena) {
            this.arena = arena;
        }

        MemorySegment get(long bytes, long alignment) {
            if (segment == null || segment.byteSize() < bytes || segment.address() % alignment != 0) {
                segment = arena.allocate(bytes, Math.max(alignment, 4096));
            }
            return segment.asSlice(0, bytes);
        }
    }
}
