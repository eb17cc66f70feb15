package dev.kvbm.tier.s3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteStoreConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Write-once against what S3 servers do besides answering: a retried write whose first answer was lost, and two
 * writes of one block from one instance at once (S3Proxy checks, then writes: both would be stored and counted).
 */
class S3WriteOnceTest {
    private static final BlockNamespace NS = new BlockNamespace("once", 9, 0, 64 * 1024);

    @Test
    void aWriteWhoseAnswerWasLostIsStillTheCallersOwn() throws Exception {
        try (S3ProxyServer server = new S3ProxyServer(); ResponseDroppingProxy proxy = new ResponseDroppingProxy(server.port, true);
             Arena arena = Arena.ofShared()) {
            URI uri = URI.create("s3://" + S3ProxyServer.BUCKET + "?endpoint=http://127.0.0.1:" + proxy.port());
            try (S3BlockStore store = new S3BlockStore(S3Endpoint.parse(uri, 0, server.env(S3Endpoint.ENV_NUM_BLOCKS, "8")),
                    new RemoteStoreConfig(uri, NS, Duration.ofSeconds(5), Map.of()))) {
                MemorySegment block = arena.allocate(NS.blockBytes()).fill((byte) 3);
                assertTrue(store.putIfAbsent(1, List.of(block)).join(),
                        "the object the lost attempt stored is this write's: the SDK's retry got 412 for it");
                assertEquals(1, proxy.dropped.get(), "the first answer was dropped");
                assertEquals(1, store.stats().puts());
                assertEquals(0, store.stats().putsPresent());
                assertEquals(1, store.counted(), "it counts against DYN_KVBM_OBJECT_NUM_BLOCKS");
                assertFalse(store.putIfAbsent(1, List.of(arena.allocate(NS.blockBytes()).fill((byte) 4))).join(),
                        "another value of the block is refused: the first stays");
                assertEquals(1, store.stats().putsPresent());
                MemorySegment read = arena.allocate(NS.blockBytes());
                assertTrue(store.get(1, List.of(read)).join());
                assertEquals(-1, read.mismatch(block));
            }
        }
    }

    @Test
    void twoWritesOfOneBlockAtOnceStoreAndCountItOnce() throws Exception {
        try (S3ProxyServer server = new S3ProxyServer(); ResponseDroppingProxy proxy = new ResponseDroppingProxy(server.port,
                false); Arena arena = Arena.ofShared()) {
            URI uri = URI.create("s3://" + S3ProxyServer.BUCKET + "?endpoint=http://127.0.0.1:" + proxy.port());
            try (S3BlockStore store = new S3BlockStore(S3Endpoint.parse(uri, 0, server.env()),
                    new RemoteStoreConfig(uri, NS))) {
                for (long h = 1; h <= 20; h++) {
                    MemorySegment block = arena.allocate(NS.blockBytes()).fill((byte) h);
                    CompletableFuture<Boolean> a = store.putIfAbsent(h, List.of(block));
                    CompletableFuture<Boolean> b = store.putIfAbsent(h, List.of(block));
                    assertNotEquals(a.join(), b.join(), "one write stores block " + h + ", the other finds it");
                }
                assertEquals(20, proxy.puts.get(), "the second write of each block waited for the first, not the server");
                assertEquals(20, store.stats().puts());
                assertEquals(20, store.stats().putsPresent());
            }
        }
    }
}
