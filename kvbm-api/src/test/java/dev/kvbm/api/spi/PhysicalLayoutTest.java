package dev.kvbm.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhysicalLayoutTest {

    /** Host memory over a slice of a confined arena, so the start address can be made unaligned. */
    private record Slice(MemorySegment segment) implements HostMemoryStorage {
        @Override
        public StorageKind kind() {
            return StorageKind.SYSTEM;
        }

        @Override
        public long size() {
            return segment.byteSize();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void baseOffsetAlignsAnUnalignedRegionAndOffsetsIncludeIt() {
        BlockLayout layout = BlockLayout.of(new LayoutConfig(2, 2, 2, 4, 8, 256, 2), LayoutType.FULLY_CONTIGUOUS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment raw = arena.allocate(4096, 4096);
            Slice storage = new Slice(raw.asSlice(8, layout.requiredAllocationSize()));
            PhysicalLayout p = new PhysicalLayout(layout, List.of(storage));
            assertEquals(248, p.baseOffset(0));
            assertEquals(0, (storage.address() + p.blockOffset(1)) % 256);
            assertEquals(248 + 256 + 128 + 64, p.offset(1, 1, 1));
        }
    }

    @Test
    void tooSmallStorageIsRefusedWithBothSizes() {
        BlockLayout layout = BlockLayout.of(new LayoutConfig(2, 2, 2, 4, 8, 1, 2), LayoutType.FULLY_CONTIGUOUS);
        try (Arena arena = Arena.ofConfined()) {
            Slice small = new Slice(arena.allocate(511));
            KvbmException e = assertThrows(KvbmException.class, () -> new PhysicalLayout(layout, List.of(small)));
            assertEquals(ErrorCode.STORAGE_TOO_SMALL, e.code());
            assertTrue(e.getMessage().contains("511 bytes, less than the 512"), e.getMessage());
        }
    }

    @Test
    void layerSeparateNeedsOneRegionPerLayer() {
        BlockLayout layout = BlockLayout.of(new LayoutConfig(2, 3, 2, 4, 8, 1, 2), LayoutType.LAYER_SEPARATE_OUTER);
        try (Arena arena = Arena.ofConfined()) {
            Slice s = new Slice(arena.allocate(layout.requiredAllocationSize()));
            KvbmException e = assertThrows(KvbmException.class, () -> new PhysicalLayout(layout, List.of(s, s)));
            assertEquals("ls-outer layout needs 3 storage region(s), got 2", e.getMessage());
            PhysicalLayout ok = new PhysicalLayout(layout, List.of(s, s, s));
            assertEquals(StorageKind.SYSTEM, ok.kind());
            KvbmException notContiguous = assertThrows(KvbmException.class, () -> ok.blockOffset(0));
            assertEquals(ErrorCode.INVALID_STATE, notContiguous.code());
        }
    }
}
