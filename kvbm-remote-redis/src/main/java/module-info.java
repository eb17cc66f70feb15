/**
 * G4 on a Redis-protocol server (Redis 7, Valkey, Redis Cluster) through Lettuce. Provider
 * {@code redis}, found through the registry as a {@link dev.kvbm.api.spi.RemoteTierProvider}.
 *
 * <p>URIs: {@code redis://HOST:PORT[/DB]}, {@code rediss://HOST:PORT} (TLS, peer verified against the JDK's
 * trust store), {@code redis-cluster://H1:P1,H2:P2} and {@code rediss-cluster://...}. Credentials are never
 * part of a URI (one that carries them is refused): the ACL user and password come from the environment,
 * {@code KVBM_REDIS_USERNAME} and {@code KVBM_REDIS_PASSWORD}, and never appear in logs or reports.
 * {@code KVBM_REDIS_TLS_CA} names a PEM file of the certificate authorities a TLS server is checked against
 * (instead of the JDK's trust store).
 *
 * <p>Options ({@link dev.kvbm.api.spi.RemoteStoreConfig#options()}): {@code redis.connections} (1..64,
 * default 4), connections used round robin so several event-loop threads move bytes at once.
 *
 * <p>Each block is one key {@code prefix:fingerprint:rank:sequenceHash} written with {@code SET NX}
 * (write-once); its value is {@link dev.kvbm.api.spi.RemoteValueFormat}'s header and the payload. Values
 * go from host memory segments into Netty's direct buffers and back without a heap copy.
 */
module dev.kvbm.tier.redis {
    requires dev.kvbm.api;
    requires lettuce.core;
    requires io.netty.buffer;
    requires io.netty.common;

    provides dev.kvbm.api.spi.TierProvider with dev.kvbm.tier.redis.internal.RedisTierProvider;
}
