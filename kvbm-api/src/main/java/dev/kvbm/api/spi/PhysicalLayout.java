package dev.kvbm.api.spi;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.MemoryRegion;
import java.util.List;

/**
 * A {@link BlockLayout} bound to the storage regions that hold its bytes: one for FullyContiguous, one
 * per layer for LayerSeparate. Each region's start is padded up to the layout's alignment (its base
 * offset), and each must hold the layout's data after that padding.
 */
public final class PhysicalLayout {
    private final BlockLayout layout;
    private final List<Storage> storages;
    private final long[] baseOffsets;
    private final StorageKind kind;
    /** The copy templates to the last few targets (copy-on-write: planning reads it without a lock). */
    private volatile BlockCopies.Template[] templates = new BlockCopies.Template[0];
    private static final int TEMPLATES_KEPT = 8;

    public PhysicalLayout(BlockLayout layout, List<? extends Storage> storages) {
        this.layout = layout;
        this.storages = List.copyOf(storages);
        if (this.storages.size() != layout.numStorageRegions()) {
            throw new KvbmException(ErrorCode.STORAGE_TOO_SMALL, layout.type().shortName() + " layout needs "
                    + layout.numStorageRegions() + " storage region(s), got " + this.storages.size());
        }
        this.kind = this.storages.getFirst().kind();
        this.baseOffsets = new long[this.storages.size()];
        for (int i = 0; i < this.storages.size(); i++) {
            Storage s = this.storages.get(i);
            if (s.kind() != kind) {
                throw new KvbmException(ErrorCode.INVALID_ARGUMENT, "storage region " + i + " is " + s.kind()
                        + " but region 0 is " + kind + ": one layout spans one kind of storage");
            }
            baseOffsets[i] = layout.baseOffset(s.address());
            long needed = baseOffsets[i] + layout.layoutDataBytes();
            if (s.size() < needed) {
                throw new KvbmException(ErrorCode.STORAGE_TOO_SMALL, "storage region " + i + " has " + s.size()
                        + " bytes, less than the " + needed + " the layout needs (including base offset "
                        + baseOffsets[i] + " for alignment)");
            }
        }
    }

    public BlockLayout layout() {
        return layout;
    }

    public StorageKind kind() {
        return kind;
    }

    public List<Storage> storages() {
        return storages;
    }

    public Storage storage(int index) {
        return storages.get(index);
    }

    /** Padding before the first aligned byte of storage region {@code index}. */
    public long baseOffset(int index) {
        return baseOffsets[index];
    }

    /** Offset of the page (block, layer, outer) from the start of its storage region. */
    public long offset(int block, int layer, int outer) {
        MemoryRegion r = layout.memoryRegion(block, layer, outer);
        return baseOffsets[r.storageIndex()] + r.offset();
    }

    /** Offset of a whole block in region 0; only for {@link BlockLayout#blockContiguous()} layouts. */
    public long blockOffset(int block) {
        if (!layout.blockContiguous()) {
            throw new KvbmException(ErrorCode.INVALID_STATE, layout.type().shortName()
                    + " blocks are not contiguous; address them by (block, layer, outer)");
        }
        return offset(block, 0, 0);
    }

    /** The copies of one block from this layout to {@code target}, worked out on first use and kept. */
    BlockCopies.Template copyTemplate(PhysicalLayout target) {
        BlockCopies.Template[] known = templates;
        for (BlockCopies.Template t : known) {
            if (t.target == target) {
                return t;
            }
        }
        BlockCopies.Template made = new BlockCopies.Template(this, target);
        int keep = Math.min(known.length, TEMPLATES_KEPT - 1);
        BlockCopies.Template[] next = new BlockCopies.Template[keep + 1];
        next[0] = made;
        System.arraycopy(known, 0, next, 1, keep);
        templates = next; // a race loses a cache entry, never correctness
        return made;
    }

    /** Releases every storage region. */
    public void close() {
        storages.forEach(Storage::close);
    }
}
