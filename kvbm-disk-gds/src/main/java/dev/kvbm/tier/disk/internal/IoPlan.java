package dev.kvbm.tier.disk.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockCopies;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.FileStorage;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.Storage;
import java.util.ArrayList;
import java.util.List;

/**
 * The file I/O of one host <-> disk transfer: extents {@code (file region, file offset, host region, host
 * offset, length)}. Whole blocks when both layouts are block-contiguous, else one extent per contiguous run
 * of each (block, layer, outer) page, with extents adjacent on both sides merged. Extents are then put into <em>groups</em>: extents
 * whose file ranges, widened to the I/O alignment, share a logical block belong to one group and run in
 * order on one thread (an unaligned write reads, patches and rewrites its edge blocks, which must not
 * race with a neighbour's). Different groups never share a logical block and run in parallel.
 */
final class IoPlan {
    /** The direction of a transfer. */
    enum Direction { WRITE, READ }

    record Extent(int file, long fileOffset, int host, long hostOffset, long length) {
    }

    final Direction direction;
    final List<List<Extent>> groups;
    final long totalBytes;
    final int extents;

    private IoPlan(Direction direction, List<List<Extent>> groups, long totalBytes, int extents) {
        this.direction = direction;
        this.groups = groups;
        this.totalBytes = totalBytes;
        this.extents = extents;
    }

    /** Validates the transfer and plans it; {@code INVALID_ARGUMENT} names the offending field. */
    static IoPlan of(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs) {
        return of(source, target, pairs, HostMemoryStorage.class);
    }

    /** As {@link #of(PhysicalLayout, PhysicalLayout, List)} with memory of {@code memory} type on one side. */
    static IoPlan of(PhysicalLayout source, PhysicalLayout target, List<BlockPair> pairs,
                     Class<? extends Storage> memory) {
        if (source == null || target == null || pairs == null) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, source == null ? "source"
                    : target == null ? "target" : "pairs", "source, target and pairs must not be null");
        }
        Direction dir;
        if (allOf(source, memory) && allOf(target, FileStorage.class)) {
            dir = Direction.WRITE;
        } else if (allOf(source, FileStorage.class) && allOf(target, memory)) {
            dir = Direction.READ;
        } else {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "source", "this engine copies between "
                    + memory.getSimpleName() + " and files only; got " + source.kind() + " -> " + target.kind());
        }
        PhysicalLayout file = dir == Direction.WRITE ? target : source;
        // Validation and the page plan are shared with every engine; here only the file's view of them.
        List<Extent> raw = new ArrayList<>();
        // Copies come from the layouts' runs (a strided page is several extents), never from the layout's kind.
        BlockCopies.prepare(source, target, pairs).forEach((ss, so, ts, to, length) -> raw.add(dir == Direction.WRITE
                ? new Extent(ts, to, ss, so, length) : new Extent(ss, so, ts, to, length)));
        raw.sort((a, b) -> {
            int c = Integer.compare(a.file, b.file);
            return c != 0 ? c : Long.compare(a.fileOffset, b.fileOffset);
        });
        List<Extent> merged = new ArrayList<>();
        long total = 0;
        for (Extent e : raw) {
            total += e.length;
            if (!merged.isEmpty()) {
                Extent last = merged.getLast();
                if (last.file == e.file && last.host == e.host && last.fileOffset + last.length == e.fileOffset
                        && last.hostOffset + last.length == e.hostOffset) {
                    merged.set(merged.size() - 1, new Extent(last.file, last.fileOffset, last.host, last.hostOffset,
                            last.length + e.length));
                    continue;
                }
            }
            merged.add(e);
        }
        int[] alignment = new int[file.storages().size()];
        for (int i = 0; i < alignment.length; i++) {
            alignment[i] = Math.max(1, ((FileStorage) file.storage(i)).ioAlignment());
        }
        List<List<Extent>> groups = new ArrayList<>();
        List<Extent> current = null;
        long currentEnd = Long.MIN_VALUE;
        int currentFile = -1;
        for (Extent e : merged) {
            long a = alignment[e.file];
            long start = Math.floorDiv(e.fileOffset, a) * a;
            long end = Math.ceilDiv(e.fileOffset + e.length, a) * a;
            if (current == null || e.file != currentFile || start >= currentEnd) {
                current = new ArrayList<>();
                groups.add(current);
                currentFile = e.file;
                currentEnd = end;
            } else {
                currentEnd = Math.max(currentEnd, end);
            }
            current.add(e);
        }
        return new IoPlan(dir, groups, total, merged.size());
    }

    private static boolean allOf(PhysicalLayout layout, Class<? extends Storage> type) {
        return layout.storages().stream().allMatch(type::isInstance);
    }


    /** Splits the groups into at most {@code parts} lists of about equal bytes, groups kept whole. */
    List<List<List<Extent>>> split(int parts) {
        List<List<List<Extent>>> out = new ArrayList<>();
        if (groups.isEmpty()) {
            return out;
        }
        long share = Math.max(1, totalBytes / Math.max(1, parts));
        List<List<Extent>> part = new ArrayList<>();
        long bytes = 0;
        for (List<Extent> g : groups) {
            part.add(g);
            bytes += g.stream().mapToLong(Extent::length).sum();
            if (bytes >= share && out.size() < parts - 1) {
                out.add(part);
                part = new ArrayList<>();
                bytes = 0;
            }
        }
        if (!part.isEmpty()) {
            out.add(part);
        }
        return out;
    }

    @Override
    public String toString() {
        return "IoPlan[" + direction + ", " + extents + " extents in " + groups.size() + " groups, " + totalBytes
                + " bytes]";
    }
}
