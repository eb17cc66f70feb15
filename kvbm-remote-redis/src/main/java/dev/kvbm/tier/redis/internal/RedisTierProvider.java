package dev.kvbm.tier.redis.internal;

import dev.kvbm.api.spi.RemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreConfig;
import dev.kvbm.api.spi.RemoteTierProvider;
import java.util.Optional;
import java.util.Set;

/** The {@code redis} G4 provider: Redis 7 / Valkey, standalone or cluster, plain or TLS. */
public final class RedisTierProvider implements RemoteTierProvider {
    private static final Optional<String> UNAVAILABLE = probe();

    private static Optional<String> probe() {
        try {
            Class.forName("io.lettuce.core.RedisClient", false, RedisTierProvider.class.getClassLoader());
            Class.forName("io.netty.buffer.ByteBuf", false, RedisTierProvider.class.getClassLoader());
            return Optional.empty();
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.of("Lettuce or Netty is missing from the module path: " + e);
        }
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String description() {
        return "G4 on Redis 7 / Valkey (redis://, rediss://, redis-cluster://) through Lettuce; write-once keys, "
                + "CRC32C-checked values";
    }

    @Override
    public boolean isAvailable() {
        return UNAVAILABLE.isEmpty();
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return UNAVAILABLE;
    }

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss", "redis-cluster", "rediss-cluster");
    }

    @Override
    public RemoteBlockStore open(RemoteStoreConfig config) {
        return new RedisBlockStore(RedisEndpoint.parse(config.uri(), config.timeout(), System.getenv()), config);
    }
}
