package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteBlockStore;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The G4 contract on a real Redis Cluster on loopback (3 masters, one replica each); keys spread over its slots. */
class RedisClusterRemoteTierContractTest extends RawRedisContract {
    @TempDir
    static Path dir;
    static RedisCluster cluster;
    static RedisClusterClient raw;
    static StatefulRedisClusterConnection<byte[], byte[]> rawConnection;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisCluster.start(dir);
        raw = RedisClusterClient.create(RedisURI.create("127.0.0.1", cluster.ports.getFirst()));
        rawConnection = raw.connect(ByteArrayCodec.INSTANCE);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (rawConnection != null) {
            rawConnection.close();
            raw.shutdown();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    String uri() {
        return cluster.uri();
    }

    @Override
    RedisClusterCommands<byte[], byte[]> raw() {
        return rawConnection.sync();
    }

    @Test
    void blocksSpreadOverTheSlotsOfEveryMaster() throws Exception {
        BlockNamespace ns = new BlockNamespace("spread", 11, 0, 4096);
        int blocks = 96;
        Set<Long> slots = new HashSet<>();
        try (RemoteBlockStore store = openStore(ns); Arena arena = Arena.ofShared()) {
            MemorySegment block = arena.allocate(4096);
            for (long h = 1; h <= blocks; h++) {
                assertTrue(store.putIfAbsent(h * 0x9E3779B97F4A7C15L, List.of(block)).get(30, TimeUnit.SECONDS));
                slots.add(rawConnection.sync().clusterKeyslot(ns.key(h * 0x9E3779B97F4A7C15L)
                        .getBytes(StandardCharsets.UTF_8)));
            }
        }
        assertTrue(slots.size() > blocks * 9 / 10, "keys hash to distinct slots (no hash tags): " + slots.size()
                + " slots for " + blocks + " blocks");
        long total = 0;
        for (int master : RedisCluster.masters(cluster.ports.getFirst())) {
            long keys = Long.parseLong(RedisCluster.cli(master, "dbsize").trim());
            assertTrue(keys > blocks / 6, "master " + master + " holds a share of the blocks: " + keys + " of " + blocks);
            total += keys;
        }
        assertTrue(total >= blocks, "every block is on a master: " + total);
        assertEquals(blocks, total - otherKeys(), "no block stored twice");
    }

    /** Keys of other tests of the contract still on the cluster (they run in any order). */
    private static long otherKeys() {
        long n = 0;
        for (byte[] key : rawConnection.sync().keys("*")) {
            if (!new String(key, StandardCharsets.UTF_8).startsWith("spread")) {
                n++;
            }
        }
        return n;
    }
}
