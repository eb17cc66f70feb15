package dev.kvbm.tier.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.core.providers.ProviderRegistry;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The real host-pinned tier hands its regions to the CUDA registrar in chunks no larger than the registrar's cap,
 * covering each region exactly, and unregisters them on close (driver calls faked: no GPU here).
 */
class PinnedTierRegistrationTest {

    @Test
    void pinnedRegionsAreRegisteredInCappedChunksAndUnregisteredOnClose() {
        HostRegistrationTest.RecordingOps ops = new HostRegistrationTest.RecordingOps();
        RegisteredRanges ranges = new RegisteredRanges();
        {
            var provider = ProviderRegistry.load(Set.of("cuda")).tier("host-pinned");
            TierConfig config = new TierConfig(Tier.G2, new LayoutConfig(4, 1, 1, 1, 1024, 1, 2),
                    LayoutType.FULLY_CONTIGUOUS, Map.of("kvbm.host.touch.threads", "1"))
                    .withHostRegistrar(new CudaHostRegistrar(0, 64 << 10, ops, ranges));
            try (StorageAllocator allocator = provider.createAllocator(config)) {
                Storage region = allocator.allocate(200 << 10, 4096);
                assertEquals(4, ops.calls.size(), "200 KiB in chunks of at most 64 KiB: " + ops.calls);
                for (String call : ops.calls) {
                    long bytes = Long.parseLong(call.substring(call.lastIndexOf(' ') + 1));
                    assertTrue(call.startsWith("register ") && bytes <= 64 << 10, call);
                }
                assertTrue(ranges.covers(region.address(), region.size()), "the chunks cover the region exactly");
                assertEquals(4, ranges.size());
                region.close();
                assertEquals(8, ops.calls.size());
                assertTrue(ops.calls.subList(4, 8).stream().allMatch(c -> c.startsWith("unregister ")), ops.calls.toString());
                assertEquals(0, ranges.size());
            }
        }
    }
}
