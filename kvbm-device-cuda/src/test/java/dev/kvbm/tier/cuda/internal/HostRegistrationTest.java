package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.tier.cuda.CudaOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registrar's bookkeeping with fake driver calls; the real cuMemHostRegister runs in CudaGpuTest. */
class HostRegistrationTest {

    static class RecordingOps implements CudaHostRegistrar.Ops {
        final List<String> calls = new ArrayList<>();

        @Override
        public void register(long address, long bytes) {
            calls.add("register " + Long.toHexString(address) + " " + bytes);
        }

        @Override
        public void unregister(long address) {
            calls.add("unregister " + Long.toHexString(address));
        }
    }

    @Test
    void chunksAreRegisteredTrackedAndUnregistered() {
        RecordingOps ops = new RecordingOps();
        RegisteredRanges ranges = new RegisteredRanges();
        CudaHostRegistrar r = new CudaHostRegistrar(0, 8192, ops, ranges);
        assertEquals(8192, r.maxChunkBytes());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region = arena.allocate(3 * 8192, 4096);
            List<MemorySegment> chunks = List.of(region.asSlice(0, 8192), region.asSlice(8192, 8192),
                    region.asSlice(16384, 8192));
            chunks.forEach(r::register);
            assertTrue(ranges.covers(region.address(), region.byteSize()), "adjacent chunks cover the region");
            assertTrue(ranges.covers(region.address() + 100, 20000));
            assertFalse(ranges.covers(region.address(), region.byteSize() + 1));
            r.unregister(chunks.get(1));
            assertFalse(ranges.covers(region.address(), region.byteSize()), "a hole after one chunk is unregistered");
            assertTrue(ranges.covers(region.address(), 8192));
            r.unregister(chunks.get(0));
            r.unregister(chunks.get(2));
            assertEquals(0, ranges.size());
            assertEquals(6, ops.calls.size());
            assertEquals("register " + Long.toHexString(region.address()) + " 8192", ops.calls.getFirst());
            assertEquals("unregister " + Long.toHexString(region.address() + 8192), ops.calls.get(3));
        }
    }

    @Test
    void aChunkOverTheLimitIsRefusedBeforeTheDriverSeesIt() {
        RecordingOps ops = new RecordingOps();
        CudaHostRegistrar r = new CudaHostRegistrar(0, 8192, ops, new RegisteredRanges());
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(KvbmException.class, () -> r.register(arena.allocate(8192 + 4096, 4096)));
        }
        assertTrue(ops.calls.isEmpty());
        KvbmException tooSmall = assertThrows(KvbmException.class, () -> new CudaHostRegistrar(0, 100, ops, new RegisteredRanges()));
        assertEquals("kvbm.cuda.register.chunk.bytes", tooSmall.field().orElseThrow());
    }

    @Test
    void theProviderBindsTheRegistrarToTheDeviceTiersOrdinalAndChunkCap() {
        TierConfig g1 = new TierConfig(Tier.G1, LayoutConfig.of(4, 1, 1, 16, 64), LayoutType.FULLY_CONTIGUOUS,
                Map.of(CudaOptions.DEVICE, "3", CudaOptions.REGISTER_CHUNK_BYTES, "1048576"));
        int[] opsOrdinal = {-1};
        CudaHostRegistrar r = CudaHostRegistrarProvider.create(g1, ordinal -> {
            opsOrdinal[0] = ordinal;
            return new RecordingOps();
        });
        assertEquals(3, r.ordinal());
        assertEquals(3, opsOrdinal[0], "driver calls go to the G1 device");
        assertEquals(1L << 20, r.maxChunkBytes());
        TierConfig defaults = new TierConfig(Tier.G1, LayoutConfig.of(4, 1, 1, 16, 64), LayoutType.FULLY_CONTIGUOUS);
        assertEquals(CudaOptions.DEFAULT_REGISTER_CHUNK_BYTES,
                CudaHostRegistrarProvider.create(defaults, ordinal -> new RecordingOps()).maxChunkBytes());
        assertEquals(CudaTierProvider.NAME, new CudaHostRegistrarProvider().deviceTier());
    }

    @Test
    void aRefusedRegistrationLeavesTheChunkUsableAndUnregistered() {
        RecordingOps ops = new RecordingOps() {
            @Override
            public void register(long address, long bytes) {
                throw new KvbmException(dev.kvbm.api.ErrorCode.NATIVE_FAILURE,
                        "cuMemHostRegister(8192 bytes) failed: CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED");
            }
        };
        RegisteredRanges ranges = new RegisteredRanges();
        CudaHostRegistrar r = new CudaHostRegistrar(0, 8192, ops, ranges);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chunk = arena.allocate(8192, 4096);
            r.register(chunk); // no exception: the host tier keeps its region
            assertEquals(1, r.failures());
            assertFalse(ranges.covers(chunk.address(), 8192), "not device-addressable, so never given to the kernel");
            r.unregister(chunk);
            assertTrue(ops.calls.isEmpty(), "nothing to unregister: " + ops.calls);
        }
    }
}
