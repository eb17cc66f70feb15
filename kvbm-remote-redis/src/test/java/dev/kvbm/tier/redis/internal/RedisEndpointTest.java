package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisEndpointTest {
    private static final Duration T = Duration.ofSeconds(1);

    @Test
    void standaloneClusterAndTlsForms() {
        RedisEndpoint plain = RedisEndpoint.parse(URI.create("redis://10.0.0.5:7000"), T, Map.of());
        assertFalse(plain.cluster());
        assertEquals("10.0.0.5", plain.nodes().getFirst().getHost());
        assertEquals(7000, plain.nodes().getFirst().getPort());
        assertFalse(plain.nodes().getFirst().isSsl());

        RedisEndpoint tls = RedisEndpoint.parse(URI.create("rediss://cache.example:6380/2"), T, Map.of());
        assertTrue(tls.nodes().getFirst().isSsl());
        assertTrue(tls.nodes().getFirst().isVerifyPeer(), "TLS verifies the server by default");
        assertEquals(2, tls.nodes().getFirst().getDatabase());

        RedisEndpoint cluster = RedisEndpoint.parse(URI.create("redis-cluster://127.0.0.1:7001,127.0.0.1:7002,h3"), T,
                Map.of());
        assertTrue(cluster.cluster());
        assertEquals(3, cluster.nodes().size());
        assertEquals(6379, cluster.nodes().get(2).getPort(), "default port");
    }

    @Test
    void credentialsComeFromTheEnvironmentAndNeverShow() {
        RedisEndpoint e = RedisEndpoint.parse(URI.create("rediss://h:1"), T,
                Map.of(RedisEndpoint.ENV_USERNAME, "kv", RedisEndpoint.ENV_PASSWORD, "s3cr3t"));
        assertTrue(e.nodes().getFirst().getCredentialsProvider() != null, "credentials are set");
        assertFalse(e.nodes().getFirst().toString().contains("s3cr3t"), e.nodes().getFirst().toString());
        assertFalse(e.display().contains("s3cr3t"), e.display());
        assertTrue(e.display().contains("ACL kv"), e.display());
    }

    @Test
    void anAclUserFromTheEnvironmentIsAdmittedAndAMissingOneRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        RedisServers.assumeInstalled();
        try (RedisServers.Server server = new RedisServers.Server(RedisServers.freePort(), dir, java.util.List.of(
                "--user", "default", "off", "--user", "kv", "on", ">s3cr3t", "~kvbm:*", "+@all"))) {
            server.start();
            URI uri = URI.create(server.uri());
            dev.kvbm.api.spi.BlockNamespace ns = new dev.kvbm.api.spi.BlockNamespace("kvbm", 1, 0, 64);
            dev.kvbm.api.spi.RemoteStoreConfig config = new dev.kvbm.api.spi.RemoteStoreConfig(uri, ns);
            try (RedisBlockStore store = new RedisBlockStore(RedisEndpoint.parse(uri, T,
                    Map.of(RedisEndpoint.ENV_USERNAME, "kv", RedisEndpoint.ENV_PASSWORD, "s3cr3t")), config);
                 java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
                java.lang.foreign.MemorySegment block = arena.allocate(64).fill((byte) 7);
                assertTrue(store.putIfAbsent(42, java.util.List.of(block)).join());
                assertTrue(store.contains(new long[] {42}).join()[0]);
            }
            try (RedisBlockStore store = new RedisBlockStore(RedisEndpoint.parse(uri, T,
                    Map.of(RedisEndpoint.ENV_USERNAME, "kv", RedisEndpoint.ENV_PASSWORD, "s3cr3t")), config);
                 java.lang.foreign.Arena confined = java.lang.foreign.Arena.ofConfined()) {
                // The event loop encodes the value on its own thread: a confined segment is refused up front.
                java.util.concurrent.CompletionException e = assertThrows(java.util.concurrent.CompletionException.class,
                        () -> store.putIfAbsent(43, java.util.List.of(confined.allocate(64))).join());
                assertTrue(e.getCause().getMessage().contains("shared"), e.getCause().getMessage());
            }
            KvbmException refused = assertThrows(KvbmException.class, () -> new RedisBlockStore(
                    RedisEndpoint.parse(uri, T, Map.of(RedisEndpoint.ENV_USERNAME, "kv", RedisEndpoint.ENV_PASSWORD,
                            "wrong")), config));
            assertEquals(ErrorCode.IO_ERROR, refused.code());
            assertFalse(refused.getMessage().contains("wrong"), refused.getMessage());
        }
    }

    @Test
    void credentialsInTheUriAreRefusedWithoutEchoingThem() {
        KvbmException e = assertThrows(KvbmException.class,
                () -> RedisEndpoint.parse(URI.create("redis://kv:hunter2@h:1"), T, Map.of()));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains(RedisEndpoint.ENV_PASSWORD), e.getMessage());
    }

    @Test
    void badFormsNameTheRule() {
        assertThrows(KvbmException.class, () -> RedisEndpoint.parse(URI.create("http://h:1"), T, Map.of()));
        assertThrows(KvbmException.class, () -> RedisEndpoint.parse(URI.create("redis://h:1,h:2"), T, Map.of()));
        KvbmException port = assertThrows(KvbmException.class,
                () -> RedisEndpoint.parse(URI.create("redis://h:99999"), T, Map.of()));
        assertTrue(port.getMessage().contains("1..65535"), port.getMessage());
        assertThrows(KvbmException.class, () -> RedisEndpoint.parse(URI.create("redis-cluster://h:1/3"), T, Map.of()));
    }

    @Test
    void anUnreachableServerFailsToOpenWithIoError() throws Exception {
        int port = RedisServers.freePort(); // nothing listens there
        KvbmException e = assertThrows(KvbmException.class, () -> new RedisTierProvider().open(
                new dev.kvbm.api.spi.RemoteStoreConfig(URI.create("redis://127.0.0.1:" + port),
                        new dev.kvbm.api.spi.BlockNamespace("t", 1, 0, 64))));
        assertEquals(ErrorCode.IO_ERROR, e.code());
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
    }
}
