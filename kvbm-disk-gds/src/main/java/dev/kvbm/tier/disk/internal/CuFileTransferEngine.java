package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.AbstractTransferEngine;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.DeviceMemoryStorage;
import dev.kvbm.api.spi.EngineExecutor;
import dev.kvbm.api.spi.FileStorage;
import dev.kvbm.api.spi.PhysicalLayout;
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
final class CuFileTransferEngine extends AbstractTransferEngine {
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final Map<FileStorage, MemorySegment> handles = new IdentityHashMap<>(); // guarded by this

    CuFileTransferEngine(int threads) {
        super("cuFile", new EngineExecutor("kvbm-cufile", threads, threads * 64, CLOSE_TIMEOUT)); // bounded: callers wait
    }

    @Override
    protected CompletableFuture<Void> start(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        IoPlan plan = IoPlan.of(source, target, pairs, DeviceMemoryStorage.class);
        PhysicalLayout device = plan.direction == IoPlan.Direction.WRITE ? source : target;
        PhysicalLayout file = plan.direction == IoPlan.Direction.WRITE ? target : source;
        List<Runnable> parts = new ArrayList<>();
        for (List<List<IoPlan.Extent>> part : plan.split(4)) {
            parts.add(() -> {
                for (List<IoPlan.Extent> group : part) {
                    for (IoPlan.Extent e : group) {
                        io(plan.direction, (DeviceMemoryStorage) device.storage(e.host()),
                                (FileStorage) file.storage(e.file()), e);
                    }
                }
            });
        }
        return runAll(parts);
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

    /** Deregisters the file handles once no transfer can use them. */
    @Override
    protected synchronized void onClose() {
        handles.values().forEach(CuFile::deregister);
        handles.clear();
    }
}
