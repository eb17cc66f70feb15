package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.DeviceMemoryStorage;
import dev.kvbm.api.spi.EngineExecutor;
import dev.kvbm.api.spi.FileStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.TransferEngine;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * G1 <-> G3 with GPUDirect Storage: {@code cuFileWrite}/{@code cuFileRead} between device memory and the
 * cache file (its descriptor registered once with {@code cuFileHandleRegister}), one call per whole block or
 * coalesced region, on a small pool. A short or failed call fails the transfer.
 */
final class CuFileTransferEngine implements TransferEngine {
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final EngineExecutor pool;
    private final Map<FileStorage, MemorySegment> handles = new IdentityHashMap<>(); // guarded by this

    CuFileTransferEngine(int threads) {
        this.pool = new EngineExecutor("kvbm-cufile", threads, threads * 64, CLOSE_TIMEOUT); // bounded: callers wait
    }

    @Override
    public CompletableFuture<Void> transfer(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        IoPlan plan;
        try {
            plan = IoPlan.of(source, target, pairs, DeviceMemoryStorage.class);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failure(e));
        }
        PhysicalLayout device = plan.direction == IoPlan.Direction.WRITE ? source : target;
        PhysicalLayout file = plan.direction == IoPlan.Direction.WRITE ? target : source;
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (List<List<IoPlan.Extent>> part : plan.split(4)) {
            parts.add(pool.submit(() -> { // fails with INVALID_STATE once closed
                for (List<IoPlan.Extent> group : part) {
                    for (IoPlan.Extent e : group) {
                        io(plan.direction, (DeviceMemoryStorage) device.storage(e.host()),
                                (FileStorage) file.storage(e.file()), e);
                    }
                }
            }));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).exceptionallyCompose(e ->
                CompletableFuture.failedFuture(failure(e.getCause() != null ? e.getCause() : e)));
    }

    private void io(IoPlan.Direction direction, DeviceMemoryStorage device, FileStorage file, IoPlan.Extent e) {
        MemorySegment handle = handle(file);
        long done = 0;
        while (done < e.length()) {
            long n = CuFile.io(direction == IoPlan.Direction.WRITE, handle, device.devicePointer(), e.length() - done,
                    e.fileOffset() + done, e.hostOffset() + done);
            if (n <= 0) {
                throw new KvbmException(ErrorCode.IO_ERROR, "cuFile" + (direction == IoPlan.Direction.WRITE ? "Write"
                        : "Read") + " on " + file.path() + " at offset " + (e.fileOffset() + done) + " returned " + n);
            }
            done += n;
        }
    }

    private synchronized MemorySegment handle(FileStorage file) {
        return handles.computeIfAbsent(file, f -> {
            if (f.fileDescriptor() < 0) {
                throw new KvbmException(ErrorCode.INVALID_ARGUMENT, "cuFile needs the file descriptor of " + f.path());
            }
            return CuFile.register(f.fileDescriptor());
        });
    }

    private static KvbmException failure(Throwable cause) {
        if (cause instanceof KvbmException k && k.code() == ErrorCode.TRANSFER_FAILED) {
            return k;
        }
        return new KvbmException(ErrorCode.TRANSFER_FAILED, "cuFile transfer failed: " + cause.getMessage(), cause);
    }

    @Override
    public void close() {
        pool.close();
        if (!pool.isTerminated()) {
            System.getLogger(CuFileTransferEngine.class.getName()).log(System.Logger.Level.WARNING, "cuFile calls "
                    + "still running after " + CLOSE_TIMEOUT + "; their file handles stay registered");
            return;
        }
        synchronized (this) {
            handles.values().forEach(CuFile::deregister);
            handles.clear();
        }
    }
}
