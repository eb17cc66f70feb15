package dev.kvbm.api.internal;

import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.LayoutProvider;
import java.util.List;

/** The layout providers kvbm ships, for {@link LayoutType}'s built-in constants and listing. */
public final class BuiltInLayouts {
    public static final LayoutProvider FULLY_CONTIGUOUS = new FullyContiguousProvider();
    public static final LayoutProvider LAYER_SEPARATE_OUTER = new LayerSeparateOuterProvider();
    public static final LayoutProvider LAYER_SEPARATE_BLOCK = new LayerSeparateBlockProvider();
    static final LayoutType HICACHE_LAYER_FIRST_TYPE = LayoutType.provided(new HiCacheLayerFirstProvider(), null);
    static final LayoutType HICACHE_PAGE_FIRST_TYPE = LayoutType.provided(new HiCachePageFirstProvider(), null);
    static final LayoutType HICACHE_PAGE_FIRST_DIRECT_TYPE =
            LayoutType.provided(new HiCachePageFirstDirectProvider(), null);
    static final LayoutType HICACHE_PAGE_HEAD_TYPE = LayoutType.provided(new HiCachePageHeadProvider(), null);

    /** Every built-in type, Dynamo's first. */
    public static final List<LayoutType> TYPES = List.of(LayoutType.FULLY_CONTIGUOUS, LayoutType.LAYER_SEPARATE_OUTER,
            LayoutType.LAYER_SEPARATE_BLOCK, HICACHE_LAYER_FIRST_TYPE, HICACHE_PAGE_FIRST_TYPE,
            HICACHE_PAGE_FIRST_DIRECT_TYPE, HICACHE_PAGE_HEAD_TYPE);

    private BuiltInLayouts() {
    }
}
