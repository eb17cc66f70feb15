package dev.kvbm.tier.s3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteStoreConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3EndpointTest {

    @Test
    void dynamosVariablesApplyAndTheUriWins() {
        S3Endpoint e = S3Endpoint.parse(URI.create("s3:///"), 3, Map.of(S3Endpoint.ENV_BUCKET, "kv-{worker_id}",
                S3Endpoint.ENV_ENDPOINT, "http://minio:9000", S3Endpoint.ENV_REGION, "eu-west-1",
                S3Endpoint.ENV_NUM_BLOCKS, "1000"));
        assertEquals("kv-3", e.bucket(), "{worker_id} is the rank");
        assertEquals(URI.create("http://minio:9000"), e.endpoint().orElseThrow());
        assertEquals("eu-west-1", e.region());
        assertEquals(1000, e.maxBlocks());
        S3Endpoint u = S3Endpoint.parse(URI.create("s3://other?endpoint=http://127.0.0.1:1&region=us-west-2"), 0,
                Map.of(S3Endpoint.ENV_BUCKET, "kv", S3Endpoint.ENV_SECRET_KEY, "s3cr3t", S3Endpoint.ENV_ACCESS_KEY, "a"));
        assertEquals("other", u.bucket());
        assertEquals("us-west-2", u.region());
        assertFalse(u.display().contains("s3cr3t"), u.display());
        assertEquals(Long.MAX_VALUE, u.maxBlocks(), "unbounded without DYN_KVBM_OBJECT_NUM_BLOCKS");
    }

    @Test
    void badInputNamesTheRule() {
        KvbmException creds = assertThrows(KvbmException.class,
                () -> S3Endpoint.parse(URI.create("s3://key:secret@bucket"), 0, Map.of()));
        assertFalse(creds.getMessage().contains("secret@"), creds.getMessage());
        assertTrue(creds.getMessage().contains(S3Endpoint.ENV_SECRET_KEY));
        assertThrows(KvbmException.class, () -> S3Endpoint.parse(URI.create("s3:///"), 0, Map.of()));
        assertThrows(KvbmException.class, () -> S3Endpoint.parse(URI.create("s3://Bad_Bucket"), 0, Map.of()));
        KvbmException n = assertThrows(KvbmException.class, () -> S3Endpoint.parse(URI.create("s3://bucket"), 0,
                Map.of(S3Endpoint.ENV_NUM_BLOCKS, "0")));
        assertEquals(ErrorCode.INVALID_CONFIG, n.code());
        assertTrue(n.getMessage().contains(S3Endpoint.ENV_NUM_BLOCKS), n.getMessage());
        assertThrows(KvbmException.class, () -> S3Endpoint.parse(URI.create("s3://bucket?endpoint=ftp://x"), 0, Map.of()));
    }

    @Test
    void beyondTheBlockLimitTheLeastRecentlyUsedObjectsAreDeleted() throws Exception {
        try (S3ProxyServer server = new S3ProxyServer(); Arena arena = Arena.ofShared()) {
            BlockNamespace ns = new BlockNamespace("bound", 7, 0, 1024);
            try (S3BlockStore store = new S3BlockStore(S3Endpoint.parse(server.uri(), 0,
                    server.env(S3Endpoint.ENV_NUM_BLOCKS, "3")), new RemoteStoreConfig(server.uri(), ns))) {
                MemorySegment block = arena.allocate(1024).fill((byte) 1);
                for (long h = 1; h <= 3; h++) {
                    assertTrue(store.putIfAbsent(h, List.of(block)).join());
                }
                assertTrue(store.get(1, List.of(arena.allocate(1024))).join(), "block 1 becomes the most recent");
                for (long h = 4; h <= 5; h++) {
                    assertTrue(store.putIfAbsent(h, List.of(block)).join());
                }
                assertEquals(3, store.counted());
                assertNull(raw(server, ns.key(2)), "least recently used: deleted");
                assertNull(raw(server, ns.key(3)), "next least recently used: deleted");
                for (long h : new long[] {1, 4, 5}) {
                    assertNotNull(raw(server, ns.key(h)), "block " + h + " kept");
                }
            }
        }
    }

    private static byte[] raw(S3ProxyServer server, String key) {
        try {
            return server.raw.getObjectAsBytes(r -> r.bucket(S3ProxyServer.BUCKET).key(key)).asByteArray();
        } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
            return null;
        }
    }
}
