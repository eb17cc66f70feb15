package dev.kvbm.tier.redis.internal;

import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreConfig;
import dev.kvbm.tck.RemoteTierContract;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** The G4 contract on a Redis server or cluster at {@link #uri()}, with raw access through a byte-array connection. */
abstract class RawRedisContract extends RemoteTierContract {
    /** The store's URI. */
    abstract String uri();

    /** Commands of a raw connection to the same server or cluster (FLUSHALL reaches every master of a cluster). */
    abstract RedisClusterCommands<byte[], byte[]> raw();

    @Override
    protected RemoteBlockStore openStore(BlockNamespace namespace) {
        return new RedisTierProvider().open(new RemoteStoreConfig(URI.create(uri()), namespace));
    }

    @Override
    protected void evictAll() {
        raw().flushall();
    }

    @Override
    protected void writeRaw(String key, byte[] value) {
        raw().set(key.getBytes(StandardCharsets.UTF_8), value);
    }

    @Override
    protected byte[] readRaw(String key) {
        return raw().get(key.getBytes(StandardCharsets.UTF_8));
    }
}
