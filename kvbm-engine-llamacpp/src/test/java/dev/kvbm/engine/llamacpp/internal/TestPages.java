package dev.kvbm.engine.llamacpp.internal;

import dev.kvbm.api.spi.KvGeometry;
import dev.kvbm.api.spi.KvPages;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Plain off-heap segments standing in for kvbm G1 blocks: one segment per block, layer and component. */
final class TestPages implements KvPages, AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final int page;
    private final int count;
    private final int layers;
    private final MemorySegment[] regions;

    TestPages(KvGeometry g, int page, int count) {
        this(g.layers(), (long) page * g.inner() * g.dtypeBytes(), page, count);
    }

    TestPages(int layers, long regionBytes, int page, int count) {
        this.page = page;
        this.count = count;
        this.layers = layers;
        this.regions = new MemorySegment[count * layers * 2];
        for (int i = 0; i < regions.length; i++) {
            regions[i] = arena.allocate(regionBytes, 64);
        }
    }

    /** The same blocks from {@code first}, {@code n} of them (a prefix run of a cached sequence). */
    KvPages slice(int first, int n) {
        TestPages outer = this;
        return new KvPages() {
            @Override
            public int pageSize() {
                return page;
            }

            @Override
            public int count() {
                return n;
            }

            @Override
            public MemorySegment region(int block, int layer, int component) {
                return outer.region(first + block, layer, component);
            }
        };
    }

    @Override
    public int pageSize() {
        return page;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public MemorySegment region(int block, int layer, int outer) {
        return regions[(block * layers + layer) * 2 + outer];
    }

    @Override
    public void close() {
        arena.close();
    }
}
