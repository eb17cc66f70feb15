/**
 * The kvbm API: block layouts and their address math, configuration records, the error model, and
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
}
