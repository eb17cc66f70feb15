package dev.kvbm.api.internal;

import dev.kvbm.api.layout.LayoutType;

/** The built-in layout provider {@code ls-outer}. */
public final class LayerSeparateOuterProvider extends BuiltInLayoutProvider {
    public LayerSeparateOuterProvider() {
        super("ls-outer", "LayerSeparate outer-contiguous: one region per layer [outer, blocks, page, inner] (Dynamo)",
                c -> new LayerSeparateLayout(c, true));
    }

    @Override
    public LayoutType type() {
        return LayoutType.LAYER_SEPARATE_OUTER;
    }
}
