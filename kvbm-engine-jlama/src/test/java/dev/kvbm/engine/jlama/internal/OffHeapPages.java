package dev.kvbm.engine.jlama.internal;

import dev.kvbm.api.spi.KvGeometry;
import dev.kvbm.api.spi.KvPages;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Plain off-heap memory standing in for a run of kvbm G1 blocks: block-major, then layer, then K/V, each
 * region {@code pageSize x inner x dtypeBytes} bytes (kvbm's fully contiguous layout).
 */
final class OffHeapPages implements KvPages, AutoCloseable {

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final int pageSize;
    private final int count;
    private final int layers;
    private final long regionBytes;

    OffHeapPages(KvGeometry geometry, int pageSize, int count) {
        this(geometry.layers(), (long) pageSize * geometry.inner() * geometry.dtypeBytes(), pageSize, count);
    }

    OffHeapPages(int layers, long regionBytes, int pageSize, int count) {
        this.pageSize = pageSize;
        this.count = count;
        this.layers = layers;
        this.regionBytes = regionBytes;
        this.memory = arena.allocate(Math.max(1, count * layers * 2L * regionBytes), 64);
    }

    @Override
    public int pageSize() {
        return pageSize;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public MemorySegment region(int block, int layer, int outer) {
        long index = ((long) block * layers + layer) * 2 + outer;
        return memory.asSlice(index * regionBytes, regionBytes);
    }

    /** Blocks {@code from..from+n} of this run as a run of their own (a prefix of a cached sequence, say). */
    KvPages slice(int from, int n) {
        OffHeapPages self = this;
        return new KvPages() {
            @Override
            public int pageSize() {
                return pageSize;
            }

            @Override
            public int count() {
                return n;
            }

            @Override
            public MemorySegment region(int block, int layer, int outer) {
                return self.region(from + block, layer, outer);
            }
        };
    }

    MemorySegment memory() {
        return memory;
    }

    @Override
    public void close() {
        arena.close();
    }
}
