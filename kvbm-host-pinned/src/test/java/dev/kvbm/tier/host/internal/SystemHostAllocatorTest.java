package dev.kvbm.tier.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.HostMemoryStorage;
import dev.kvbm.api.spi.Storage;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.tier.host.HostTierOptions;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SystemHostAllocatorTest {
    final SystemHostTierProvider provider = new SystemHostTierProvider();

    StorageAllocator allocator(Map<String, String> options) {
        return provider.createAllocator(new TierConfig(Tier.G1, LayoutConfig.of(1, 1, 1, 1, 1),
                LayoutType.FULLY_CONTIGUOUS, options));
    }

    @Test
    void zeroedAlignedAccountedMemory() {
        try (StorageAllocator a = allocator(Map.of())) {
            Storage s = a.allocate(10_000, 1 << 16);
            assertEquals(StorageKind.SYSTEM, s.kind());
            assertEquals(0, s.address() % (1 << 16));
            assertEquals(10_000, s.size());
            var seg = ((HostMemoryStorage) s).segment();
            for (long i = 0; i < seg.byteSize(); i += 999) {
                assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, i));
            }
            Storage small = a.allocate(10, 1);
            assertEquals(0, small.address() % HostTierOptions.PAGE_BYTES, "at least page-aligned");
            assertEquals(10_010, a.outstanding());
            s.close();
            s.close();
            assertEquals(10, a.outstanding());
        }
    }

    @Test
    void limitIsEnforcedAndCloseReleasesEverything() {
        StorageAllocator a = allocator(Map.of(HostTierOptions.LIMIT_BYTES, "4096"));
        a.allocate(4000, 1);
        KvbmException e = assertThrows(KvbmException.class, () -> a.allocate(97, 1));
        assertEquals(ErrorCode.ALLOCATION_FAILED, e.code());
        assertTrue(e.getMessage().contains("requested 97 + outstanding 4000 exceeds the limit 4096"), e.getMessage());
        a.allocate(96, 1);
        a.close();
        assertEquals(0, a.outstanding());
    }

    @Test
    void providerDescribesItself() {
        assertEquals("host-system", provider.name());
        assertEquals(java.util.Set.of(Tier.G1, Tier.G2), provider.tiers());
        assertEquals(StorageKind.SYSTEM, provider.storageKind());
        assertEquals(0, provider.priority());
        assertTrue(provider.isAvailable());
    }
}
