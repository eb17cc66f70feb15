package dev.kvbm.api.spi;

/**
 * Supplies the {@link HostMemoryRegistrar} of a device tier: when the core has built a tier through the
 * {@link TierProvider} named {@link #deviceTier()}, it asks this provider for a registrar bound to that tier's
 * configuration (its device ordinal, for example) and passes it to the host tiers it builds afterwards. Found
 * through {@link java.util.ServiceLoader} by the core only; its {@link #name()} is that of the device tier.
 */
public interface HostMemoryRegistrarProvider extends KvbmProvider {

    /** The name of the tier provider whose device memory this registrar serves (for example {@code cuda}). */
    String deviceTier();

    /** A registrar for the device of {@code deviceTier}, the configuration the device tier was built with. */
    HostMemoryRegistrar create(TierConfig deviceTier);
}
