package dev.kvbm.tier.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.tier.host.HostCopyProbe;
import dev.kvbm.tier.host.LibcMemcpy;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class LibcMemcpyAndProbeTest {

    @Test
    void libcMemcpyCopiesInBoundsNativeRanges() {
        assumeTrue(LibcMemcpy.isAvailable(), () -> LibcMemcpy.unavailabilityCause().orElse(""));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(1000);
            MemorySegment dst = arena.allocate(1000);
            for (int i = 0; i < 1000; i++) {
                src.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            LibcMemcpy.copy(src, 10, dst, 500, 300);
            for (int i = 0; i < 300; i++) {
                assertEquals((byte) (i + 10), dst.get(ValueLayout.JAVA_BYTE, 500 + i));
            }
            assertEquals(0, dst.get(ValueLayout.JAVA_BYTE, 499));
            assertEquals(0, dst.get(ValueLayout.JAVA_BYTE, 800));
            assertThrows(IndexOutOfBoundsException.class, () -> LibcMemcpy.copy(src, 900, dst, 0, 101));
            assertThrows(IllegalArgumentException.class, () -> LibcMemcpy.copy(MemorySegment.ofArray(new byte[8]), dst));
        }
    }

    @Test
    void theProbeReportsBothFigures() {
        assumeTrue(LibcMemcpy.isAvailable());
        HostCopyProbe.Result r = HostCopyProbe.measure(64 << 10, 8, 2);
        assertTrue(r.engineGBps() > 0 && r.memcpyGBps() > 0, r.toString());
        assertEquals(8, r.copiesPerBatch());
        HostCopyProbe.Result fcLs = HostCopyProbe.measure(64 << 10, 8, 1, LayoutType.FULLY_CONTIGUOUS,
                LayoutType.LAYER_SEPARATE_OUTER);
        assertTrue(fcLs.toString().contains("fc->ls-outer"), fcLs.toString());
        assertEquals(8 * 4 * 2, fcLs.copiesPerBatch(), "FC pages of one (layer, outer) are a block apart: no merging");
        HostCopyProbe.Result ls = HostCopyProbe.measure(64 << 10, 8, 1, LayoutType.LAYER_SEPARATE_OUTER,
                LayoutType.LAYER_SEPARATE_OUTER);
        // Every block of the layout: both outer runs of a layer are adjacent too, so one copy per layer region.
        assertEquals(4, ls.copiesPerBatch(), "adjacent blocks coalesce");
    }

    @Test
    void theMemcpyEngineMeasuresItsLibcReferenceThroughTheSpi() {
        assumeTrue(LibcMemcpy.isAvailable());
        dev.kvbm.api.spi.ReferenceCopy r = new MemcpyEngineProvider().measureReference(64 << 10, 8, 2).orElseThrow();
        assertEquals("libc memcpy", r.reference());
        assertEquals(64 << 10, r.blockBytes());
        assertEquals(8, r.blocks());
        assertEquals(2, r.iterations());
        assertTrue(r.engineGBps() > 0 && r.referenceGBps() > 0, r.toString());
    }

    /** What a thread-matched reference reads: one thread below the split threshold, the default thread count above. */
    @Test
    void theProbeNamesTheThreadsTheEngineCopiesABatchWith() {
        assertEquals(1, HostCopyProbe.engineThreads(1 << 20), "1 MiB is copied by the caller alone");
        int threads = Math.min(Runtime.getRuntime().availableProcessors(), 4);
        assertEquals(threads, HostCopyProbe.engineThreads(1L << 30), "1 GiB is split across every thread");
        assertEquals(Math.min(threads, 4), HostCopyProbe.engineThreads(8L << 20), "8 MiB: 4 tasks of 2 MiB at most");
    }
}
