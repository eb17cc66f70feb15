package dev.kvbm.api.internal;

/** The built-in layout provider {@code hicache-page-first-direct}. */
public final class HiCachePageFirstDirectProvider extends BuiltInLayoutProvider {
    public HiCachePageFirstDirectProvider() {
        super("hicache-page-first-direct", "SGLang HiCache page_first_direct: one region [outer, blocks, layers, page, heads, head_dim]",
                c -> new HiCacheLayout(c, HiCacheLayout.Kind.PAGE_FIRST_DIRECT, BuiltInLayouts.HICACHE_PAGE_FIRST_DIRECT_TYPE));
    }
}
