package dev.kvbm.tier.cuda.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.tier.cuda.CudaOptions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * {@code cuda}: G1 in device memory ({@code cuMemAlloc} on the ordinal of {@link CudaOptions#DEVICE}). The pinned
 * G2 the core builds next is registered with the driver through {@link CudaHostRegistrarProvider}, which the core
 * finds by this provider's name.
 */
public final class CudaTierProvider extends ProbedProvider implements TierProvider {
    public static final String NAME = CudaOptions.PROVIDER;

    public CudaTierProvider() {
        super(NAME, "device memory through the CUDA driver API (JCuda " + NativeLibraries.JCUDA_VERSION + ")");
    }

    /** CudaDriver probes once per process (loading JCuda, cuInit); this only reads its result. */
    @Override
    protected Optional<String> probe() {
        return CudaDriver.unavailabilityCause();
    }

    @Override
    public String description() {
        if (!isAvailable()) {
            return "device memory through the CUDA driver API (JCuda " + NativeLibraries.JCUDA_VERSION + "); unavailable";
        }
        int v = CudaDriver.driverVersion();
        return "device memory (cuMemAlloc) on " + CudaDriver.deviceCount() + " device(s), device 0 "
                + CudaDriver.deviceName(0) + ", driver CUDA " + v / 1000 + "." + (v % 1000) / 10;
    }

    @Override
    public Set<Tier> tiers() {
        return EnumSet.of(Tier.G1);
    }

    @Override
    public StorageKind storageKind() {
        return StorageKind.DEVICE;
    }

    /** Above the host tiers (10), which stand in for G1 only without a GPU. */
    @Override
    public int priority() {
        return 100;
    }

    @Override
    public StorageAllocator createAllocator(TierConfig config) {
        requireAvailable("create an allocator");
        long ordinal = config.longOption(CudaOptions.DEVICE, 0, 0, Integer.MAX_VALUE);
        CudaDriver.checkOrdinal(CudaOptions.DEVICE, ordinal);
        long limit = config.longOption(CudaOptions.LIMIT_BYTES, Long.MAX_VALUE, 1, Long.MAX_VALUE);
        // Validated here too, so a bad value fails when G1 is built, before any host tier.
        config.longOption(CudaOptions.REGISTER_CHUNK_BYTES, CudaOptions.DEFAULT_REGISTER_CHUNK_BYTES, 4096, Long.MAX_VALUE);
        var external = CudaDeviceAllocator.parseExternal(config.option(CudaOptions.EXTERNAL_REGIONS, null));
        return new CudaDeviceAllocator((int) ordinal, limit, DeviceMemoryOps.CUDA, external);
    }
}
