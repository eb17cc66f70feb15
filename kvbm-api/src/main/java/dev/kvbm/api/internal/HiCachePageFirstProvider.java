package dev.kvbm.api.internal;

/** The built-in layout provider {@code hicache-page-first}. */
public final class HiCachePageFirstProvider extends BuiltInLayoutProvider {
    public HiCachePageFirstProvider() {
        super("hicache-page-first", "SGLang HiCache page_first: one region [outer, tokens, layers, heads, head_dim]",
                c -> new HiCacheLayout(c, HiCacheLayout.Kind.PAGE_FIRST, BuiltInLayouts.HICACHE_PAGE_FIRST_TYPE));
    }
}
