package dev.kvbm.api.internal;

/** The built-in layout provider {@code hicache-layer-first}. */
public final class HiCacheLayerFirstProvider extends BuiltInLayoutProvider {
    public HiCacheLayerFirstProvider() {
        super("hicache-layer-first", "SGLang HiCache layer_first: one region [outer, layers, tokens, heads, head_dim]",
                c -> new HiCacheLayout(c, HiCacheLayout.Kind.LAYER_FIRST, BuiltInLayouts.HICACHE_LAYER_FIRST_TYPE));
    }
}
