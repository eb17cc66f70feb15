package dev.kvbm.api.internal;

/** The built-in layout provider {@code hicache-page-head}. */
public final class HiCachePageHeadProvider extends BuiltInLayoutProvider {
    public HiCachePageHeadProvider() {
        super("hicache-page-head", "SGLang HiCache page_head: one region [outer, blocks, heads, page, layers, head_dim] (needs heads)",
                c -> new HiCacheLayout(c, HiCacheLayout.Kind.PAGE_HEAD, BuiltInLayouts.HICACHE_PAGE_HEAD_TYPE));
    }
}
