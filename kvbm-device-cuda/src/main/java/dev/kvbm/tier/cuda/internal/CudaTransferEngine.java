package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.DeviceMemoryStorage;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TransferEngine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.Pointer;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream;

/**
 * Copies blocks between device memory and host memory, or device and device, with the CUDA driver. Each device
 * has three lanes, each a non-blocking stream with its own completion thread: offload (device to host), onboard
 * (host to device) and device to device, so offloads and onboards overlap. A transfer is planned on the caller's
 * thread ({@link CopyRegions}, {@link CopyStrategy}), issued on its lane's stream under the lane's lock, and
 * followed by a blocking-sync event; the lane's {@link CompletionQueue} completes the future when the event does.
 */
final class CudaTransferEngine implements TransferEngine {
    enum Direction { OFFLOAD, ONBOARD, DEVICE_TO_DEVICE }

    private final CopyStrategy.Settings settings;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    /** Serializes lane creation with close(): a transfer racing close() never leaves a lane (stream, thread) open. */
    private final Object lanesLock = new Object();
    private volatile CopyStrategy.Decision lastDecision;
    private volatile boolean closed; // written under lanesLock

    CudaTransferEngine(CopyStrategy.Settings settings) {
        this.settings = settings;
    }

    /** The direction of a kind pair, or an error naming the unsupported path. */
    static Direction direction(StorageKind source, StorageKind target) {
        if (source == StorageKind.DEVICE && target == StorageKind.DEVICE) {
            return Direction.DEVICE_TO_DEVICE;
        }
        if (source == StorageKind.DEVICE && target.hostAddressable()) {
            return Direction.OFFLOAD;
        }
        if (source.hostAddressable() && target == StorageKind.DEVICE) {
            return Direction.ONBOARD;
        }
        throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "target", "the cuda engine copies DEVICE<->SYSTEM/PINNED"
                + " and DEVICE->DEVICE, not " + source + "->" + target);
    }

    CopyStrategy.Decision lastDecision() {
        return lastDecision;
    }

    @Override
    public CompletableFuture<Void> transfer(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        try {
            if (closed) {
                throw new KvbmException(ErrorCode.INVALID_STATE, "the cuda transfer engine is closed");
            }
            CopyRegions regions = CopyRegions.plan(source, target, pairs);
            Direction dir = direction(source.kind(), target.kind());
            int ordinal = ordinal(dir == Direction.ONBOARD ? target : source);
            checkStorage("source", source);
            checkStorage("target", target);
            if (regions.count == 0) {
                return CompletableFuture.completedFuture(null);
            }
            Lane lane = lane(ordinal, dir);
            boolean addressable = deviceAddressable(source, ordinal, lane.hostPointerUsable)
                    && deviceAddressable(target, ordinal, lane.hostPointerUsable);
            boolean kernel = settings.mode() != CopyStrategy.Mode.OFF && !regions.wholeBlocks
                    && BatchedCopyKernel.forDevice(ordinal).ok();
            CopyStrategy.Decision d = CopyStrategy.choose(regions, settings, kernel, addressable);
            lastDecision = d;
            return lane.submit(regions, d.strategy());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failure(e));
        }
    }

    private Lane lane(int ordinal, Direction dir) {
        synchronized (lanesLock) {
            if (closed) {
                throw new KvbmException(ErrorCode.INVALID_STATE, "the cuda transfer engine is closed");
            }
            return lanes.computeIfAbsent(ordinal + "/" + dir, k -> new Lane(ordinal, dir));
        }
    }

    private static int ordinal(PhysicalLayout deviceSide) {
        return ((DeviceMemoryStorage) deviceSide.storage(0)).deviceOrdinal();
    }

    private static void checkStorage(String side, PhysicalLayout layout) {
        int ordinal = -1;
        for (int i = 0; i < layout.storages().size(); i++) {
            Storage s = layout.storage(i);
            if (s instanceof DeviceMemoryStorage d) {
                if (ordinal >= 0 && d.deviceOrdinal() != ordinal) {
                    throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, side, side + " storage region " + i
                            + " is on device " + d.deviceOrdinal() + " but region 0 is on device " + ordinal
                            + ": one layout lives on one device");
                }
                ordinal = d.deviceOrdinal();
            }
            if (!(s instanceof DeviceMemoryStorage) && !(s instanceof HostMemoryStorage)) {
                throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, side, side + " storage region " + i + " is "
                        + s.kind() + " (" + s.getClass().getSimpleName() + "); the cuda engine copies device and host memory");
            }
        }
    }

    /** Device memory of this device, or host memory registered with DEVICEMAP when host pointers are usable. */
    static boolean deviceAddressable(PhysicalLayout layout, int ordinal, boolean hostPointerUsable) {
        for (Storage s : layout.storages()) {
            if (s instanceof DeviceMemoryStorage d) {
                if (d.deviceOrdinal() != ordinal) {
                    return false;
                }
            } else if (!hostPointerUsable || !CudaHostRegistrar.REGISTERED.covers(s.address(), s.size())) {
                return false;
            }
        }
        return true;
    }

    private static KvbmException failure(Throwable cause) {
        if (cause instanceof KvbmException k && (k.code() == ErrorCode.TRANSFER_FAILED
                || k.code() == ErrorCode.INVALID_ARGUMENT || k.code() == ErrorCode.INVALID_STATE)) {
            return k;
        }
        return new KvbmException(ErrorCode.TRANSFER_FAILED, "cuda transfer failed: " + cause.getMessage(), cause);
    }

    @Override
    public void close() {
        List<Lane> all;
        synchronized (lanesLock) {
            closed = true;
            all = new ArrayList<>(lanes.values());
            lanes.clear();
        }
        all.forEach(Lane::close);
    }

    /** One stream of one device, its completion thread, and its reusable device buffer for pointer tables. */
    static final class Lane implements AutoCloseable {
        final int ordinal;
        final Direction direction;
        final CUstream stream;
        final boolean hostPointerUsable;
        final CompletionQueue<CUevent> completions;
        private CudaDriver.RawPointer tables;
        private long tablesCapacity;
        private boolean closed;

        Lane(int ordinal, Direction direction) {
            this.ordinal = ordinal;
            this.direction = direction;
            CudaDriver.makeCurrent(ordinal);
            this.stream = CudaDriver.streamCreate();
            this.hostPointerUsable = CudaDriver.attribute(ordinal,
                    CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CAN_USE_HOST_POINTER_FOR_REGISTERED_MEM) == 1;
            this.completions = new CompletionQueue<>(direction.name().toLowerCase(java.util.Locale.ROOT) + "-" + ordinal,
                    new CompletionQueue.Waiter<>() {
                        @Override
                        public void await(CUevent event) {
                            CudaDriver.makeCurrent(ordinal);
                            CudaDriver.eventSynchronize(event);
                        }

                        @Override
                        public void destroy(CUevent event) {
                            CudaDriver.eventDestroy(event);
                        }
                    });
        }

        synchronized CompletableFuture<Void> submit(CopyRegions regions, CopyStrategy strategy) {
            if (closed) {
                throw new KvbmException(ErrorCode.INVALID_STATE, "the cuda transfer engine is closed");
            }
            CudaDriver.makeCurrent(ordinal);
            List<ByteBuffer> keep = new ArrayList<>();
            if (strategy == CopyStrategy.KERNEL) {
                launchKernel(regions, keep);
            } else {
                CopyRegions c = regions.coalesced();
                for (int i = 0; i < c.count; i++) {
                    CudaDriver.memcpyAsync(c.dst[i], c.src[i], c.len[i], stream);
                }
            }
            CUevent event = CudaDriver.eventRecord(stream);
            CompletableFuture<Void> future = new CompletableFuture<>();
            completions.submit(event, future, keep::clear);
            return future;
        }

        private void launchKernel(CopyRegions regions, List<ByteBuffer> keep) {
            BatchedCopyKernel.Loaded kernel = BatchedCopyKernel.forDevice(ordinal);
            long bytes = regions.uniformBytes();
            int[] bounds = PointerTables.batches(regions.count, PointerTables.MAX_PER_LAUNCH);
            for (int b = 0; b + 1 < bounds.length; b++) {
                int n = bounds[b + 1] - bounds[b];
                ByteBuffer table = PointerTables.pack(regions, bounds[b], bounds[b + 1]);
                keep.add(table);
                ensureTables(table.capacity());
                // The buffer is reused by the next transfer of this lane: its upload is ordered after this kernel.
                CudaDriver.memcpyHtoDAsync(tables, table, stream);
                // One table argument (sources, then targets): no offset pointer among the kernel parameters.
                Pointer params = Pointer.to(Pointer.to(tables), Pointer.to(new long[] {bytes}), Pointer.to(new int[] {n}));
                CudaDriver.launch(kernel.function(), PointerTables.grid(n), BatchedCopyKernel.THREADS, stream, params,
                        BatchedCopyKernel.ENTRY + ", " + n + " regions");
            }
        }

        private void ensureTables(long bytes) {
            if (tables != null && tablesCapacity >= bytes) {
                return;
            }
            if (tables != null) {
                CudaDriver.memFree(tables); // synchronises the device: only when a larger table is needed
            }
            long capacity = Math.max(bytes, 1L << 20);
            tables = CudaDriver.memAlloc(capacity, "pointer tables");
            tablesCapacity = capacity;
        }

        @Override
        public synchronized void close() {
            closed = true;
            completions.close();
            try {
                CudaDriver.makeCurrent(ordinal);
                CudaDriver.streamSynchronize(stream);
                CudaDriver.streamDestroy(stream);
                if (tables != null) {
                    CudaDriver.memFree(tables);
                    tables = null;
                }
            } catch (RuntimeException e) {
                System.getLogger(CudaTransferEngine.class.getName()).log(System.Logger.Level.WARNING,
                        "closing the " + direction + " lane of device " + ordinal + ": " + e.getMessage());
            }
        }
    }
}
