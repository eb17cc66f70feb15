package dev.kvbm.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.KvbmProvider;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link TierProvider} must do: a stable lower-case name; a cause exactly when it is unavailable
 * (and a refusal naming that cause when asked for an allocator anyway); declared tiers and storage kind; and
 * an allocator factory that honours its {@link TierConfig}: the storage kind, the limit option, every layout
 * type the provider supports, and a bad option value refused with a message naming the option.
 *
 * <p>Subclasses supply {@link #createProvider()}, {@link #limitOption()} and, where the tier needs them,
 * {@link #options()} (a directory, a device ordinal). Tests that need a working provider skip, with its
 * cause, where the machine lacks what it probes for.
 */
public abstract class TierProviderContract {

    /** A new instance of the provider under test, as ServiceLoader would make it. */
    protected abstract TierProvider createProvider();

    /** The option key that bounds an allocator's bytes (for example {@code kvbm.host.limit.bytes}). */
    protected abstract String limitOption();

    /** Options every allocator in these tests gets (a directory under target/, mlock off); none by default. */
    protected Map<String, String> options() {
        return Map.of();
    }

    /** Whether the module supports {@code behavior}; everything by default. */
    protected boolean hasBehavior(Behavior behavior) {
        return true;
    }

    /** Small geometry: 4 blocks of 2 layers x 2 outer x 4 tokens x 256 x 2 bytes. */
    protected LayoutConfig geometry() {
        return new LayoutConfig(4, 2, 2, 4, 256, 4096, 2);
    }

    /** Skips the calling test, naming the provider's cause, when {@code provider} cannot run here. */
    public static void assumeAvailable(KvbmProvider provider) {
        Optional<String> cause = provider.unavailabilityCause();
        assumeTrue(cause.isEmpty(), () -> provider.name() + " is unavailable here: " + cause.orElse(""));
    }

    private TierConfig config(LayoutType type, Map<String, String> extra) {
        TierProvider p = createProvider();
        Tier tier = p.tiers().iterator().next();
        Map<String, String> o = new HashMap<>(options());
        o.putAll(extra);
        return new TierConfig(tier, geometry(), type, o);
    }

    @Test
    void theNameIsStableAndLowerCase() {
        TierProvider a = createProvider();
        TierProvider b = createProvider();
        assertNotNull(a.name());
        assertTrue(ProbedProvider.NAME.matcher(a.name()).matches(),
                "'" + a.name() + "' is not a lower-case provider name (" + ProbedProvider.NAME + ")");
        assertEquals(a.name(), b.name(), "two instances disagree on the name");
        assertEquals(a.name(), a.name(), "name() changed between calls");
        assertFalse(a.description() == null || a.description().isBlank(), "description() is blank");
    }

    @Test
    void aCauseIsGivenExactlyWhenUnavailable() {
        TierProvider p = createProvider();
        boolean available = p.isAvailable();
        Optional<String> cause = p.unavailabilityCause();
        assertNotNull(cause, "unavailabilityCause() returned null");
        assertEquals(!available, cause.isPresent(), "isAvailable() " + available + " but cause " + cause);
        cause.ifPresent(c -> assertFalse(c.isBlank(), "the cause is blank"));
        assertEquals(available, p.isAvailable(), "isAvailable() changed between calls");
        assertEquals(cause, p.unavailabilityCause(), "the cause changed between calls");
    }

    @Test
    void anUnavailableProviderRefusesWithItsCause() {
        TierProvider p = createProvider();
        assumeFalse(p.isAvailable(), p.name() + " is available here, so there is no refusal to check");
        String cause = p.unavailabilityCause().orElseThrow();
        KvbmException e = assertThrows(KvbmException.class,
                () -> p.createAllocator(config(LayoutType.FULLY_CONTIGUOUS, Map.of())).close());
        assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(cause), "the refusal '" + e.getMessage() + "' does not give the cause '"
                + cause + "'");
    }

    @Test
    void tiersAndStorageKindAreDeclared() {
        TierProvider p = createProvider();
        assertFalse(p.tiers().isEmpty(), "tiers() is empty");
        assertNotNull(p.storageKind(), "storageKind()");
    }

    static List<LayoutType> layoutTypes() {
        return HostLayouts.TYPES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layoutTypes")
    void theAllocatorHoldsTheConfiguredLayout(LayoutType type) {
        TierProvider p = createProvider();
        assumeAvailable(p);
        assumeTrue(type == LayoutType.FULLY_CONTIGUOUS || hasBehavior(Behavior.LAYER_SEPARATE_UNDER_TEST),
                "no " + Behavior.LAYER_SEPARATE_UNDER_TEST);
        try (StorageAllocator a = p.createAllocator(config(type, Map.of()))) {
            assertEquals(p.storageKind(), a.kind(), "the allocator's kind differs from storageKind()");
            PhysicalLayout layout = HostLayouts.allocate(a, geometry(), type, geometry().alignment());
            assertEquals(p.storageKind(), layout.kind());
            assertTrue(a.outstanding() > 0, "a layout's storage is not accounted for");
            layout.close();
            assertEquals(0, a.outstanding(), "closing the layout left bytes outstanding");
        }
    }

    @Test
    void theLimitOptionIsHonoured() {
        TierProvider p = createProvider();
        assumeAvailable(p);
        long limit = 3L << 20;
        try (StorageAllocator a = p.createAllocator(config(LayoutType.FULLY_CONTIGUOUS,
                Map.of(limitOption(), Long.toString(limit))))) {
            assertEquals(limit, a.limit(), limitOption() + "=" + limit + " was not applied");
            KvbmException e = assertThrows(KvbmException.class, () -> a.allocate(limit + 1, 4096));
            assertEquals(ErrorCode.ALLOCATION_FAILED, e.code(), e.getMessage());
        }
    }

    @Test
    void aBadOptionValueIsRefusedNamingTheOption() {
        TierProvider p = createProvider();
        assumeAvailable(p);
        for (String bad : new String[] {"-5", "lots"}) {
            KvbmException e = assertThrows(KvbmException.class, () -> p.createAllocator(
                    config(LayoutType.FULLY_CONTIGUOUS, Map.of(limitOption(), bad))).close(), limitOption() + "=" + bad);
            assertTrue(e.getMessage().contains(limitOption()), "'" + e.getMessage() + "' does not name " + limitOption());
        }
    }
}
