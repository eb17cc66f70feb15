package dev.kvbm.tier.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The G4 contract on a real standalone redis-server. */
class RedisRemoteTierContractTest extends RawRedisContract {
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
    String uri() {
        return server.uri();
    }

    @Override
    RedisClusterCommands<byte[], byte[]> raw() {
        return rawConnection.sync();
    }
}
