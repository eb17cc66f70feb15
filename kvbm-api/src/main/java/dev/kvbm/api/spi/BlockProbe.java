package dev.kvbm.api.spi;

import dev.kvbm.api.Tier;
import java.util.List;
import java.util.Objects;

/**
 * The argument of kvbm's check functions: blocks of one tier, and the seed of the pattern {@code kvbm_fill}
 * writes (ignored by {@code kvbm_checksums}).
 */
public record BlockProbe(Tier tier, List<Integer> blocks, long seed) {
    public BlockProbe {
        Objects.requireNonNull(tier, "tier");
        blocks = List.copyOf(blocks);
    }
}
