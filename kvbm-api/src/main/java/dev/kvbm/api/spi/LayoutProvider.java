package dev.kvbm.api.spi;

import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a {@link BlockLayout}, the address math of one way of placing KV blocks in memory, found by
 * {@link #name()} through the core's registry like tiers and engines. kvbm ships {@code fc}, {@code ls-outer},
 * {@code ls-block} (Dynamo's) and SGLang HiCache's host layouts; a third party adds its own by implementing
 * this interface and {@link BlockLayout}, and declaring the provider in {@code module-info} ({@code provides})
 * and {@code META-INF/services}. The test kit's {@code LayoutContract} checks a layout.
 *
 * <p>Layout math is pure arithmetic, so a layout provider is always available.
 */
public interface LayoutProvider extends KvbmProvider {

    /**
     * The layout of {@code config} with this provider's {@code parameters} (empty for every built-in). Sizes are
     * overflow-checked ({@code SIZE_OVERFLOW}); a geometry the layout cannot hold (a missing head split, an
     * unknown parameter) is refused with {@code INVALID_CONFIG} naming the field.
     */
    BlockLayout create(LayoutConfig config, Map<String, String> parameters);

    /** {@link #create(LayoutConfig, Map)} without parameters. */
    default BlockLayout create(LayoutConfig config) {
        return create(config, Map.of());
    }

    /** The {@link LayoutType} that names this provider's layout (what tier configs and layouts carry). */
    default LayoutType type() {
        return LayoutType.provided(this, Map.of());
    }

    @Override
    default boolean isAvailable() {
        return true;
    }

    @Override
    default Optional<String> unavailabilityCause() {
        return Optional.empty();
    }
}
