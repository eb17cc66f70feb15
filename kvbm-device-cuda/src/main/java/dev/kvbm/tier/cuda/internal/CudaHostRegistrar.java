package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.HostMemoryRegistrar;
import java.lang.foreign.MemorySegment;

/**
 * Registers pinned G2 chunks with {@code cuMemHostRegister(PORTABLE | DEVICEMAP)} so copies to and from them
 * are true DMA and the batched kernel can address them; unregisters each on close. The host tier splits regions
 * into chunks of at most {@link #maxChunkBytes()}, which keeps every registration within the driver's limits.
 * A chunk the driver refuses stays usable, unregistered (one warning per process): the G2 tier degrades to staged
 * copies instead of failing.
 */
final class CudaHostRegistrar implements HostMemoryRegistrar {
    /** {@code CU_MEMHOSTREGISTER_PORTABLE | CU_MEMHOSTREGISTER_DEVICEMAP}. */
    static final int FLAGS = 0x01 | 0x02;
    /** Every range this process registered, for the engine's kernel-eligibility check. */
    static final RegisteredRanges REGISTERED = new RegisteredRanges();

    /** The driver calls, behind an interface so registration bookkeeping is tested without a GPU. */
    interface Ops {
        void register(long address, long bytes);

        void unregister(long address);
    }

    static Ops cuda(int ordinal) {
        return new Ops() {
            @Override
            public void register(long address, long bytes) {
                CudaDriver.makeCurrent(ordinal);
                CudaDriver.memHostRegister(address, bytes, FLAGS);
            }

            @Override
            public void unregister(long address) {
                CudaDriver.makeCurrent(ordinal);
                CudaDriver.memHostUnregister(address);
            }
        };
    }

    private final int ordinal;
    private final long maxChunkBytes;
    private final Ops ops;
    private final RegisteredRanges ranges;
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

    CudaHostRegistrar(int ordinal, long maxChunkBytes, Ops ops, RegisteredRanges ranges) {
        if (maxChunkBytes < 4096) {
            throw KvbmException.invalid(dev.kvbm.tier.cuda.CudaOptions.REGISTER_CHUNK_BYTES, maxChunkBytes, ">= 4096");
        }
        this.ordinal = ordinal;
        this.maxChunkBytes = maxChunkBytes;
        this.ops = ops;
        this.ranges = ranges;
    }

    int ordinal() {
        return ordinal;
    }

    @Override
    public void register(MemorySegment chunk) {
        if (chunk.byteSize() > maxChunkBytes) {
            throw new KvbmException(ErrorCode.INVALID_ARGUMENT, "chunk of " + chunk.byteSize()
                    + " bytes exceeds the registration limit of " + maxChunkBytes + " bytes");
        }
        try {
            ops.register(chunk.address(), chunk.byteSize());
        } catch (KvbmException e) {
            // The region stays usable, unregistered: copies are staged by the driver and the kernel is not used
            // for it. Failing the G2 allocation instead would take the whole tier down for a speed-up.
            if (WARNED.compareAndSet(false, true)) {
                System.getLogger(CudaHostRegistrar.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot register pinned host memory with CUDA (" + e.getMessage() + "); such regions stay "
                                + "unregistered and device copies to and from them are staged (slower)");
            }
            failures.incrementAndGet();
            return;
        }
        ranges.add(chunk.address(), chunk.byteSize());
    }

    @Override
    public void unregister(MemorySegment chunk) {
        if (ranges.remove(chunk.address())) {
            ops.unregister(chunk.address());
        }
    }

    /** Chunks the driver refused to register (they stay usable, unregistered). */
    long failures() {
        return failures.get();
    }

    @Override
    public long maxChunkBytes() {
        return maxChunkBytes;
    }
}
