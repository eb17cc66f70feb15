package dev.kvbm.core.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.HostMemoryRegistrar;
import dev.kvbm.api.spi.HostMemoryRegistrarProvider;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.testing.TestProviders;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The registrar of the device tier's provider reaches the host tiers built after it through their
 * {@link TierConfig}, and nothing reaches them when no usable registrar serves the G1 provider.
 */
class HostRegistrarHandoffTest {

    /** An arena tier under another name that records the configuration each tier was built with. */
    static final class RecordingTier implements TierProvider {
        final String name;
        final Tier tier;
        final Map<Tier, TierConfig> seen;

        RecordingTier(String name, Tier tier, Map<Tier, TierConfig> seen) {
            this.name = name;
            this.tier = tier;
            this.seen = seen;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return "records its configuration";
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public Optional<String> unavailabilityCause() {
            return Optional.empty();
        }

        @Override
        public Set<Tier> tiers() {
            return EnumSet.of(tier);
        }

        @Override
        public StorageKind storageKind() {
            return StorageKind.SYSTEM;
        }

        @Override
        public StorageAllocator createAllocator(TierConfig config) {
            seen.put(config.tier(), config);
            return new TestProviders.ArenaTierProvider().createAllocator(config);
        }
    }

    record Registrars(String deviceTier, boolean isAvailable, HostMemoryRegistrar registrar, List<TierConfig> asked)
            implements HostMemoryRegistrarProvider {
        @Override
        public String name() {
            return deviceTier;
        }

        @Override
        public String description() {
            return "a fixed registrar";
        }

        @Override
        public Optional<String> unavailabilityCause() {
            return isAvailable ? Optional.empty() : Optional.of("no device here");
        }

        @Override
        public HostMemoryRegistrar create(TierConfig deviceTier) {
            asked.add(deviceTier);
            return registrar;
        }
    }

    static final HostMemoryRegistrar COUNTING = new HostMemoryRegistrar() {
        @Override
        public void register(MemorySegment chunk) {
        }

        @Override
        public void unregister(MemorySegment chunk) {
        }
    };

    Map<Tier, TierConfig> build(HostMemoryRegistrarProvider registrars) {
        Map<Tier, TierConfig> seen = new EnumMap<>(Tier.class);
        ProviderRegistry registry = ProviderRegistry.of(List.of(new RecordingTier("test-device", Tier.G1, seen),
                        new RecordingTier("test-host", Tier.G2, seen), new RecordingTier("test-disk", Tier.G3, seen)),
                List.of(new TestProviders.CopyEngineProvider()), List.of(), Set.of())
                .withHostRegistrars(List.of(registrars));
        try (KvBlockManager m = KvBlockManager.builder().geometry(KvBlockManagerTest.GEOMETRY).providers(registry)
                .integrity(IntegrityMode.OFF).tierBlocks(Tier.G1, 4).tierBlocks(Tier.G2, 8).tierBlocks(Tier.G3, 8)
                .options(Map.of("kvbm.test.device", "2")).build()) {
            assertEquals(3, m.tiers().size());
        }
        return seen;
    }

    @Test
    void theDeviceTiersRegistrarReachesEveryTierBuiltAfterIt() {
        List<TierConfig> asked = new java.util.ArrayList<>();
        Map<Tier, TierConfig> seen = build(new Registrars("test-device", true, COUNTING, asked));
        assertSame(HostMemoryRegistrar.NONE, seen.get(Tier.G1).hostRegistrar(), "G1 is built before any registrar");
        assertSame(COUNTING, seen.get(Tier.G2).hostRegistrar());
        assertSame(COUNTING, seen.get(Tier.G3).hostRegistrar());
        assertEquals(1, asked.size(), "one registrar per manager");
        assertEquals(Tier.G1, asked.getFirst().tier());
        assertEquals("2", asked.getFirst().option("kvbm.test.device", null), "created from G1's own configuration");
    }

    @Test
    void aRegistrarOfAnotherDeviceOrAnUnavailableOneIsNotUsed() {
        List<TierConfig> asked = new java.util.ArrayList<>();
        Map<Tier, TierConfig> other = build(new Registrars("cuda", true, COUNTING, asked));
        assertSame(HostMemoryRegistrar.NONE, other.get(Tier.G2).hostRegistrar());
        Map<Tier, TierConfig> unavailable = build(new Registrars("test-device", false, COUNTING, asked));
        assertSame(HostMemoryRegistrar.NONE, unavailable.get(Tier.G2).hostRegistrar());
        assertEquals(0, asked.size());
    }
}
