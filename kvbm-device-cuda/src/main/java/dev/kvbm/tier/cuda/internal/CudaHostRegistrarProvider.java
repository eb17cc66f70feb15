package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.spi.HostMemoryRegistrar;
import dev.kvbm.api.spi.HostMemoryRegistrarProvider;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.tier.cuda.CudaOptions;
import java.util.Optional;

/**
 * {@code cuda}: registers the pinned host tiers the core builds after a {@code cuda} G1 with the driver, on the
 * device ordinal and with the chunk cap of that G1's configuration.
 */
public final class CudaHostRegistrarProvider implements HostMemoryRegistrarProvider {

    @Override
    public String name() {
        return CudaOptions.PROVIDER;
    }

    @Override
    public String description() {
        return "registers pinned host memory with the CUDA driver (cuMemHostRegister PORTABLE|DEVICEMAP)";
    }

    @Override
    public boolean isAvailable() {
        return CudaDriver.available();
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return CudaDriver.unavailabilityCause();
    }

    @Override
    public String deviceTier() {
        return CudaTierProvider.NAME;
    }

    @Override
    public HostMemoryRegistrar create(TierConfig deviceTier) {
        CudaDriver.requireAvailable(CudaOptions.PROVIDER);
        return create(deviceTier, CudaHostRegistrar::cuda);
    }

    /** The registrar for {@code deviceTier}, with driver calls from {@code ops} (faked in tests). */
    static CudaHostRegistrar create(TierConfig deviceTier, java.util.function.IntFunction<CudaHostRegistrar.Ops> ops) {
        long ordinal = deviceTier.longOption(CudaOptions.DEVICE, 0, 0, Integer.MAX_VALUE);
        long chunk = deviceTier.longOption(CudaOptions.REGISTER_CHUNK_BYTES, CudaOptions.DEFAULT_REGISTER_CHUNK_BYTES,
                4096, Long.MAX_VALUE);
        return new CudaHostRegistrar((int) ordinal, chunk, ops.apply((int) ordinal), CudaHostRegistrar.REGISTERED);
    }
}
