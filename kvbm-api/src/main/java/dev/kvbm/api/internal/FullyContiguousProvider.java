package dev.kvbm.api.internal;

import dev.kvbm.api.layout.LayoutType;

/** The built-in layout provider {@code fc}. */
public final class FullyContiguousProvider extends BuiltInLayoutProvider {
    public FullyContiguousProvider() {
        super("fc", "FullyContiguous: one region [blocks, layers, outer, page, inner] (Dynamo)",
                FullyContiguousLayout::new);
    }

    @Override
    public LayoutType type() {
        return LayoutType.FULLY_CONTIGUOUS;
    }
}
