package dev.kvbm.tier.redis.internal;

import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreConfig;
import dev.kvbm.tck.RemoteTierContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The G4 contract on a real standalone redis-server. */
class RedisRemoteTierContractTest extends RemoteTierContract {
    @TempDir
    static Path dir;
    static RedisServers.Server server;
    static RedisClient raw;
    static StatefulRedisConnection<byte[], byte[]> rawConnection;

    @BeforeAll
    static void startServer() throws Exception {
        RedisServers.assumeInstalled();
        server = new RedisServers.Server(RedisServers.freePort(), dir.resolve("standalone"), List.of());
        server.start();
        raw = RedisClient.create(server.uri());
        rawConnection = raw.connect(ByteArrayCodec.INSTANCE);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (rawConnection != null) {
            rawConnection.close();
            raw.shutdown();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected RemoteBlockStore openStore(BlockNamespace namespace) {
        return new RedisTierProvider().open(new RemoteStoreConfig(URI.create(server.uri()), namespace));
    }

    @Override
    protected void evictAll() {
        rawConnection.sync().flushall();
    }

    @Override
    protected void writeRaw(String key, byte[] value) {
        rawConnection.sync().set(key.getBytes(StandardCharsets.UTF_8), value);
    }

    @Override
    protected byte[] readRaw(String key) {
        return rawConnection.sync().get(key.getBytes(StandardCharsets.UTF_8));
    }
}
