package dev.kvbm.core.cluster.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.PhysicalLayout;
import dev.kvbm.core.cluster.WorkerSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Replicated mode's G2 and G3 on one host: rank 0 allocates and publishes them under the shared directory,
 * the other ranks wait for what rank 0 published and map it (G2) or open its files read-only (G3).
 */
public final class ReplicatedTiers {
    private static final Duration RANK0_WAIT = Duration.ofSeconds(120);

    private final WorkerSpec spec;

    public ReplicatedTiers(WorkerSpec spec) {
        this.spec = spec;
    }

    /** G2: rank 0 creates and publishes it, the other ranks wait for it (while {@code wanted}) and map it. */
    public HeldTier host(LayoutConfig config, BooleanSupplier wanted) {
        BlockLayout layout = BlockLayout.of(config, LayoutType.FULLY_CONTIGUOUS);
        long size = layout.requiredAllocationSize();
        String name = spec.group() + "-g2";
        SharedHostRegion region = spec.replicatedFollower()
                ? awaitRank0(wanted, "G2 (" + name + ", " + size + " bytes)", () -> SharedHostRegion.open(spec.sharedDir(), name, size))
                : SharedHostRegion.create(spec.sharedDir(), name, size);
        return HeldTier.opened(Tier.G2, new PhysicalLayout(layout, List.of(region)), null, region, null);
    }

    /**
     * G3: rank 0 allocates its cache files through its disk tier ({@code allocate}) and publishes them next to
     * its G2; the other ranks wait for them and open them read-only, so they read rank 0's blocks themselves
     * through their own disk engine. They never write them: offloads to G3 are rank 0's.
     */
    public HeldTier disk(LayoutConfig config, BooleanSupplier wanted, Supplier<HeldTier> allocate) {
        String name = spec.group() + "-g3";
        if (!spec.replicatedFollower()) {
            HeldTier files = allocate.get();
            try {
                SharedDiskFiles published = SharedDiskFiles.publish(spec.sharedDir(), name, files.layout().storages());
                // the allocation keeps counting as one open tier: only the record gains its publication
                return new HeldTier(Tier.G3, files.layout(), files.allocator(), null, published);
            } catch (RuntimeException e) {
                files.close();
                throw e;
            }
        }
        BlockLayout layout = BlockLayout.of(config, LayoutType.FULLY_CONTIGUOUS);
        int count = layout.numStorageRegions();
        long size = layout.requiredAllocationSize();
        SharedDiskFiles files = awaitRank0(wanted, "G3 files (" + name + ", " + count + " x " + size + " bytes)",
                () -> SharedDiskFiles.open(spec.sharedDir(), name, count, size));
        return HeldTier.opened(Tier.G3, new PhysicalLayout(layout, files.storages()), null, null, files);
    }

    /** A follower polls for what rank 0 publishes, for as long as it is still wanted (120 s at most). */
    private <T> T awaitRank0(BooleanSupplier wanted, String what, Supplier<Optional<T>> open) {
        long end = System.nanoTime() + RANK0_WAIT.toNanos();
        Optional<T> found = open.get();
        while (found.isEmpty()) {
            if (!wanted.getAsBoolean()) {
                throw new KvbmException(ErrorCode.INVALID_STATE, "allocation superseded");
            }
            if (System.nanoTime() > end) {
                throw new KvbmException(ErrorCode.TIMEOUT, "rank 0 did not publish its " + what + " under "
                        + spec.sharedDir() + " within " + RANK0_WAIT.toSeconds() + " s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KvbmException(ErrorCode.INVALID_STATE, "interrupted waiting for rank 0's " + what);
            }
            found = open.get();
        }
        return found.get();
    }
}
