package dev.kvbm.core.engine;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.MemoryRegion;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.KvPages;
import dev.kvbm.api.spi.PhysicalLayout;
import java.lang.foreign.MemorySegment;

/** A run of G1 blocks (host memory) as an engine connector addresses them. */
final class G1Pages implements KvPages {
    private final PhysicalLayout g1;
    private final int[] blockIds;
    private final int pageSize;

    G1Pages(PhysicalLayout g1, int[] blockIds) {
        this.g1 = g1;
        this.blockIds = blockIds;
        this.pageSize = g1.layout().config().pageSize();
    }

    /** Fails unless every storage region of {@code g1} is host memory the CPU can address. */
    static void requireHostAddressable(PhysicalLayout g1) {
        for (int i = 0; i < g1.storages().size(); i++) {
            if (!(g1.storage(i) instanceof HostMemoryStorage)) {
                throw new KvbmException(ErrorCode.INVALID_CONFIG, "an engine connector running on the CPU needs G1 in"
                        + " host memory, but G1 is " + g1.kind() + " storage; run G1 on a host tier (no --g1-device)");
            }
        }
    }

    @Override
    public int pageSize() {
        return pageSize;
    }

    @Override
    public int count() {
        return blockIds.length;
    }

    @Override
    public MemorySegment region(int block, int layer, int outer) {
        if (block < 0 || block >= blockIds.length) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "block", "block " + block
                    + " is outside this run of " + blockIds.length + " block(s)");
        }
        MemoryRegion r = g1.layout().memoryRegion(blockIds[block], layer, outer);
        if (!r.contiguous()) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "G1 layout " + g1.layout().type().shortName()
                    + " has strided pages (runs of " + r.runBytes() + " bytes); an inference engine's pages are "
                    + "contiguous: use fc, ls-outer or ls-block for G1");
        }
        HostMemoryStorage storage = (HostMemoryStorage) g1.storage(r.storageIndex());
        return storage.segment().asSlice(g1.offset(blockIds[block], layer, outer), r.size());
    }
}
