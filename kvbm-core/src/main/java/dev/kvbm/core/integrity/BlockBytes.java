package dev.kvbm.core.integrity;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.MemoryRegion;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** The bytes of one block of a host-addressable layout, as segments in (layer, outer) order. */
public final class BlockBytes {
    private BlockBytes() {
    }

    /** Whether the layout's bytes can be read by the CPU. */
    public static boolean hostAddressable(PhysicalLayout layout) {
        return layout.storages().stream().allMatch(s -> s instanceof HostMemoryStorage);
    }

    /**
     * The block's pages, one segment per (layer, outer) in that order, or a single segment for a
     * block-contiguous layout.
     */
    public static List<MemorySegment> segments(PhysicalLayout layout, int block) {
        if (!hostAddressable(layout)) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the " + layout.kind()
                    + " layout is not host-addressable; its bytes cannot be read here");
        }
        LayoutConfig c = layout.layout().config();
        if (layout.layout().blockContiguous()) {
            MemorySegment s = ((HostMemoryStorage) layout.storage(0)).segment();
            return List.of(s.asSlice(layout.blockOffset(block), c.blockDataBytes()));
        }
        List<MemorySegment> pages = new ArrayList<>(c.numLayers() * c.outerDim());
        for (int l = 0; l < c.numLayers(); l++) {
            for (int o = 0; o < c.outerDim(); o++) {
                // A strided page (page-first layouts) is several runs; in logical order they are the page's bytes.
                MemoryRegion r = layout.layout().memoryRegion(block, l, o);
                MemorySegment s = ((HostMemoryStorage) layout.storage(r.storageIndex())).segment();
                long base = layout.baseOffset(r.storageIndex());
                for (int k = 0; k < r.runs(); k++) {
                    pages.add(s.asSlice(base + r.runOffset(k), r.runBytes()));
                }
            }
        }
        return pages;
    }
}
