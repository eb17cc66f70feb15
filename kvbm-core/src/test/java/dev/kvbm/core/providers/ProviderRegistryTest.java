package dev.kvbm.core.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.api.spi.TransferEngine;
import dev.kvbm.api.spi.TransferEngineProvider;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    record FakeTier(String name, Set<Tier> tiers, StorageKind storageKind, int priority, String cause)
            implements TierProvider {
        @Override
        public String description() {
            return "fake " + name;
        }

        @Override
        public boolean isAvailable() {
            return cause == null;
        }

        @Override
        public Optional<String> unavailabilityCause() {
            return Optional.ofNullable(cause);
        }

        @Override
        public StorageAllocator createAllocator(TierConfig config) {
            throw new UnsupportedOperationException();
        }
    }

    record FakeEngine(String name, Map<TransferEngineProvider.Path, Integer> prefs, String cause)
            implements TransferEngineProvider {
        @Override
        public String description() {
            return "fake engine";
        }

        @Override
        public boolean isAvailable() {
            return cause == null;
        }

        @Override
        public Optional<String> unavailabilityCause() {
            return Optional.ofNullable(cause);
        }

        @Override
        public int preference(StorageKind source, StorageKind target) {
            return prefs.getOrDefault(new Path(source, target), UNSUPPORTED);
        }

        @Override
        public TransferEngine create(Map<String, String> options) {
            throw new UnsupportedOperationException();
        }
    }

    private final FakeTier pinned = new FakeTier("host-pinned", Set.of(Tier.G1, Tier.G2), StorageKind.PINNED, 10, null);
    private final FakeTier system = new FakeTier("host-system", Set.of(Tier.G1, Tier.G2), StorageKind.SYSTEM, 0, null);
    private final FakeTier cuda = new FakeTier("cuda", Set.of(Tier.G1), StorageKind.DEVICE, 100,
            "libcuda.so.1: cannot open shared object file");
    private final FakeEngine memcpy = new FakeEngine("memcpy",
            Map.of(new TransferEngineProvider.Path(StorageKind.PINNED, StorageKind.PINNED), 10), null);
    private final FakeEngine posix = new FakeEngine("posix",
            Map.of(new TransferEngineProvider.Path(StorageKind.PINNED, StorageKind.DISK), 10), null);
    private final FakeEngine uring = new FakeEngine("io_uring",
            Map.of(new TransferEngineProvider.Path(StorageKind.PINNED, StorageKind.DISK), 20), null);

    private ProviderRegistry registry(Set<String> excluded) {
        return ProviderRegistry.of(List.of(pinned, system, cuda), List.of(memcpy, posix, uring), List.of(), excluded);
    }

    @Test
    void bestTierSkipsUnavailableAndPrefersHigherPriority() {
        ProviderRegistry r = registry(Set.of());
        assertSame(pinned, r.bestTier(Tier.G1).orElseThrow(), "cuda is unavailable, so pinned host stands in for G1");
        assertSame(pinned, r.bestTier(Tier.G2).orElseThrow());
        assertTrue(r.bestTier(Tier.G3).isEmpty());
    }

    @Test
    void excludedProvidersAreListedButNeverSelected() {
        ProviderRegistry r = registry(Set.of("host-pinned"));
        assertSame(system, r.bestTier(Tier.G2).orElseThrow());
        ProviderStatus s = r.statuses().stream().filter(p -> p.name().equals("host-pinned")).findFirst().orElseThrow();
        assertFalse(s.available());
        assertEquals("excluded by kvbm.provider.exclude", s.cause().orElseThrow());
        KvbmException e = assertThrows(KvbmException.class, () -> r.tier("host-pinned"));
        assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, e.code());
    }

    @Test
    void unavailableProviderIsReportedWithItsCause() {
        ProviderRegistry r = registry(Set.of());
        ProviderStatus s = r.statuses().stream().filter(p -> p.name().equals("cuda")).findFirst().orElseThrow();
        assertFalse(s.available());
        assertEquals("libcuda.so.1: cannot open shared object file", s.cause().orElseThrow());
        assertEquals("tier", s.category());
        assertEquals("G1 (DEVICE)", s.serves());
        KvbmException e = assertThrows(KvbmException.class, () -> r.tier("cuda"));
        assertEquals("tier provider 'cuda' is unavailable: libcuda.so.1: cannot open shared object file", e.getMessage());
    }

    @Test
    void unknownNameListsWhatWasFoundAndWhichModuleSuppliesIt() {
        ProviderRegistry r = registry(Set.of());
        KvbmException e = assertThrows(KvbmException.class, () -> r.tier("disk"));
        assertEquals(ErrorCode.PROVIDER_NOT_FOUND, e.code());
        assertEquals("no tier provider named 'disk' (found: host-pinned, host-system, cuda); it is supplied by "
                + "kvbm-disk-gds (module dev.kvbm.tier.disk), which is not on the module path", e.getMessage());
        KvbmException uringMissing = assertThrows(KvbmException.class,
                () -> ProviderRegistry.of(List.of(), List.of(memcpy), List.of(), Set.of()).engine("io_uring"));
        assertTrue(uringMissing.getMessage().endsWith("it is supplied by kvbm-disk-gds (module dev.kvbm.tier.disk), "
                + "which is not on the module path"), uringMissing.getMessage());
        KvbmException other = assertThrows(KvbmException.class, () -> r.engine("warp-drive"));
        assertEquals("no engine provider named 'warp-drive' (found: memcpy, posix, io_uring)", other.getMessage());
    }

    @Test
    void layoutsAreFoundByNameThroughServiceLoaderAndUnknownNamesListThem() {
        ProviderRegistry r = ProviderRegistry.loadLayouts();
        assertEquals(List.of("fc", "ls-outer", "ls-block", "hicache-layer-first", "hicache-page-first",
                "hicache-page-first-direct", "hicache-page-head"),
                r.layoutProviders().stream().map(dev.kvbm.api.spi.LayoutProvider::name).toList());
        assertSame(dev.kvbm.api.layout.LayoutType.FULLY_CONTIGUOUS, r.layoutType("fc"), "Dynamo's keep their constants");
        dev.kvbm.api.layout.LayoutType pageFirst = r.layoutType("hicache-page-first");
        assertEquals("hicache-page-first", pageFirst.shortName());
        assertEquals(pageFirst, dev.kvbm.api.layout.LayoutType.builtIns().get(4), "one name, one type, however loaded");
        KvbmException e = assertThrows(KvbmException.class, () -> r.layoutType("ls"));
        assertEquals("layoutType", e.field().orElseThrow());
        assertTrue(e.getMessage().contains("hicache-page-head") && e.getMessage().contains("(got ls)"), e.getMessage());
        assertEquals(r.layoutProviders().size(), registry(Set.of()).layoutProviders().size(),
                "an explicit registry knows the built-in layouts");
    }

    @Test
    void bestEngineTakesTheHighestPreferenceForThePath() {
        ProviderRegistry r = registry(Set.of());
        assertSame(uring, r.bestEngine(StorageKind.PINNED, StorageKind.DISK).orElseThrow());
        assertSame(posix, registry(Set.of("io_uring")).bestEngine(StorageKind.PINNED, StorageKind.DISK).orElseThrow());
        assertSame(memcpy, r.bestEngine(StorageKind.PINNED, StorageKind.PINNED).orElseThrow());
        assertTrue(r.bestEngine(StorageKind.DEVICE, StorageKind.DISK).isEmpty());
        assertEquals("PINNED->DISK", r.statuses().stream().filter(p -> p.name().equals("posix")).findFirst()
                .orElseThrow().serves());
    }

    @Test
    void duplicateNamesInOneCategoryAreRefused() {
        KvbmException e = assertThrows(KvbmException.class,
                () -> ProviderRegistry.of(List.of(pinned, pinned), List.of(), List.of(), Set.of()));
        assertTrue(e.getMessage().startsWith("two tier providers are named 'host-pinned'"), e.getMessage());
    }

    @Test
    void excludeListParsing() {
        assertEquals(List.of("a", "b"), List.copyOf(ProviderRegistry.parseNames(" a, ,b ")));
        assertTrue(ProviderRegistry.parseNames("").isEmpty());
    }

    @Test
    void loadFindsWhatIsOnTheModulePathWithoutFailing() {
        // kvbm-core alone declares no providers; the registry must load cleanly and report none.
        ProviderRegistry r = ProviderRegistry.load();
        assertTrue(r.statuses().stream().allMatch(s -> !s.name().isEmpty()));
        assertTrue(r.bestTier(Tier.G4).isEmpty());
    }
}
