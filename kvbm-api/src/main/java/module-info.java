/**
 * The kvbm API: block layouts and their address math (the built-in layout providers: Dynamo's {@code fc},
 * {@code ls-outer}, {@code ls-block} and SGLang HiCache's host layouts), configuration records, the error model, and
 * the service-provider interfaces ({@code dev.kvbm.api.spi}) that storage tiers, transfer engines
 * and transports implement. Depends on {@code java.base} only, so a third-party tier pulls in
 * nothing else.
 *
 * <p>Configuration keys (environment variables compatible with Dynamo's {@code DYN_KVBM_*} and
 * kvbm's own system properties) are listed in {@link dev.kvbm.api.config.ConfigKeys}.
 */
module dev.kvbm.api {
    exports dev.kvbm.api;
    exports dev.kvbm.api.config;
    exports dev.kvbm.api.events;
    exports dev.kvbm.api.layout;
    exports dev.kvbm.api.spi;

    // The layouts kvbm ships, found by name through the core's registry like any third party's.
    provides dev.kvbm.api.spi.LayoutProvider with dev.kvbm.api.internal.FullyContiguousProvider,
            dev.kvbm.api.internal.LayerSeparateOuterProvider, dev.kvbm.api.internal.LayerSeparateBlockProvider,
            dev.kvbm.api.internal.HiCacheLayerFirstProvider, dev.kvbm.api.internal.HiCachePageFirstProvider,
            dev.kvbm.api.internal.HiCachePageFirstDirectProvider, dev.kvbm.api.internal.HiCachePageHeadProvider;
}
