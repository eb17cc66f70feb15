package dev.kvbm.tier.host.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.ProbedProvider;
import dev.kvbm.api.spi.StorageAllocator;
import dev.kvbm.api.spi.StorageKind;
import dev.kvbm.api.spi.TierConfig;
import dev.kvbm.api.spi.TierProvider;
import dev.kvbm.nativeio.libc.LibC;
import dev.kvbm.tier.host.HostTierOptions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** {@code host-pinned}: page-locked host memory for G2, and for G1 on a machine without a GPU. */
public final class PinnedHostTierProvider extends ProbedProvider implements TierProvider {
    public static final String NAME = dev.kvbm.api.spi.ProviderNames.HOST_PINNED;

    /** Probed once: libc through FFM first (cheap), then Chronicle (loads Chronicle Core). */
    private static final class Probe {
        static final String CAUSE = LibC.unavailabilityCause()
                .or(ChronicleMemory::unavailabilityCause).orElse(null);
    }

    private volatile PinnedHostAllocator last;

    public PinnedHostTierProvider() {
        super(NAME, "page-locked host memory (Chronicle Bytes + mlock)");
    }

    /** Probed once per process: the probe's result is static, this only reads it. */
    @Override
    protected Optional<String> probe() {
        return Optional.ofNullable(Probe.CAUSE);
    }

    @Override
    public String description() {
        if (!isAvailable()) {
            return "page-locked host memory (Chronicle Bytes + mlock); unavailable";
        }
        long limit = LibC.memlockLimit();
        String status;
        PinnedHostAllocator a = last;
        if (a != null && a.lastPinFailure() != null) {
            status = "last allocation NOT pinned (mlock refused, pageable fallback)";
        } else if (limit == Long.MAX_VALUE) {
            status = "RLIMIT_MEMLOCK unlimited";
        } else {
            status = "RLIMIT_MEMLOCK " + Options.bytes(limit)
                    + ": larger regions fall back to pageable memory unless the process has CAP_IPC_LOCK";
        }
        return "page-locked host memory (Chronicle Bytes + mlock, parallel first touch); " + status;
    }

    @Override
    public Set<Tier> tiers() {
        return EnumSet.of(Tier.G1, Tier.G2);
    }

    @Override
    public StorageKind storageKind() {
        return StorageKind.PINNED;
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public StorageAllocator createAllocator(TierConfig config) {
        return createAllocator(config, MemoryLocker.LIBC);
    }

    PinnedHostAllocator createAllocator(TierConfig config, MemoryLocker locker) {
        requireAvailable("create an allocator");
        var o = config.options();
        long limit = Options.longOption(o, HostTierOptions.LIMIT_BYTES, Long.MAX_VALUE, 1, Long.MAX_VALUE);
        long chunk = Options.longOption(o, HostTierOptions.CHUNK_BYTES, HostTierOptions.DEFAULT_CHUNK_BYTES,
                HostTierOptions.PAGE_BYTES, Long.MAX_VALUE);
        int threads = (int) Options.longOption(o, HostTierOptions.TOUCH_THREADS,
                Runtime.getRuntime().availableProcessors(), 1, 1024);
        boolean lock = Options.booleanOption(o, HostTierOptions.MLOCK, true);
        PinnedHostAllocator a = new PinnedHostAllocator(limit, chunk, threads, lock, locker,
                config.hostRegistrar());
        last = a;
        return a;
    }
}
