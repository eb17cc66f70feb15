package dev.kvbm.api.spi;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import java.util.Map;
import java.util.Objects;

/**
 * What a tier is asked to hold: the tier, its blocks' layout, provider-specific options (a directory, a
 * device ordinal) given as strings so every provider reads them the same way, and the
 * {@link HostMemoryRegistrar} a host tier hands its pinned memory to ({@link HostMemoryRegistrar#NONE} unless
 * the core built a device tier that registers host memory).
 */
public record TierConfig(Tier tier, LayoutConfig layout, LayoutType layoutType, Map<String, String> options,
                         HostMemoryRegistrar hostRegistrar) {

    public TierConfig {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(layoutType, "layoutType");
        options = Map.copyOf(options == null ? Map.of() : options);
        hostRegistrar = hostRegistrar == null ? HostMemoryRegistrar.NONE : hostRegistrar;
    }

    public TierConfig(Tier tier, LayoutConfig layout, LayoutType layoutType, Map<String, String> options) {
        this(tier, layout, layoutType, options, HostMemoryRegistrar.NONE);
    }

    public TierConfig(Tier tier, LayoutConfig layout, LayoutType layoutType) {
        this(tier, layout, layoutType, Map.of());
    }

    /** This configuration with {@code registrar} as the host-memory registrar. */
    public TierConfig withHostRegistrar(HostMemoryRegistrar registrar) {
        return new TierConfig(tier, layout, layoutType, options, registrar);
    }

    /** An option as a string, or {@code fallback} when absent. */
    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    /** An option parsed as a long in {@code [min, max]}; the error names the key and the range. */
    public long longOption(String key, long fallback, long min, long max) {
        String text = options.get(key);
        if (text == null) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw KvbmException.invalid(key, "'" + text + "'", "an integer in " + min + ".." + max);
        }
        if (value < min || value > max) {
            throw KvbmException.invalid(key, value, "in " + min + ".." + max);
        }
        return value;
    }
}
