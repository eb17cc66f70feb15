package dev.kvbm.api.internal;

import dev.kvbm.api.layout.LayoutType;

/** The built-in layout provider {@code ls-block}. */
public final class LayerSeparateBlockProvider extends BuiltInLayoutProvider {
    public LayerSeparateBlockProvider() {
        super("ls-block", "LayerSeparate block-contiguous: one region per layer [blocks, outer, page, inner] (Dynamo)",
                c -> new LayerSeparateLayout(c, false));
    }

    @Override
    public LayoutType type() {
        return LayoutType.LAYER_SEPARATE_BLOCK;
    }
}
