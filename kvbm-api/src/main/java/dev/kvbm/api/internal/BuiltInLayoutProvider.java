package dev.kvbm.api.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.BlockLayout;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.spi.LayoutProvider;
import java.util.Map;
import java.util.function.Function;

/** A layout kvbm ships: a name, a line of description, and the layout's constructor; it takes no parameters. */
abstract class BuiltInLayoutProvider implements LayoutProvider {
    private final String name;
    private final String description;
    private final Function<LayoutConfig, BlockLayout> factory;

    BuiltInLayoutProvider(String name, String description, Function<LayoutConfig, BlockLayout> factory) {
        this.name = name;
        this.description = description;
        this.factory = factory;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final BlockLayout create(LayoutConfig config, Map<String, String> parameters) {
        if (config == null) {
            throw KvbmException.invalid("config", null, "a layout config");
        }
        if (parameters != null && !parameters.isEmpty()) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "parameters", "layout '" + name
                    + "' takes no parameters (got " + parameters.keySet() + ")");
        }
        return factory.apply(config);
    }

    @Override
    public String toString() {
        return name;
    }
}
