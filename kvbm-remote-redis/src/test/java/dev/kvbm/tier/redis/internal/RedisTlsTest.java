package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteStoreConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rediss:// against a redis-server with TLS: the server is verified against the CA from the environment. */
class RedisTlsTest {
    @TempDir
    Path dir;

    static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }

    @Test
    void aTlsServerSignedByTheConfiguredCaIsUsedAndAnUnknownOneRefused() throws Exception {
        RedisServers.assumeInstalled();
        assumeTrue(RedisServers.binary("openssl") != null, "openssl is not installed: no certificates for the TLS test");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "2", "-subj", "/CN=kvbm-test-ca");
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=127.0.0.1");
        Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.crt", "-days", "2", "-extfile", "ext.cnf");
        int tlsPort = RedisServers.freePort();
        try (RedisServers.Server server = new RedisServers.Server(RedisServers.freePort(), dir.resolve("redis"), List.of(
                "--tls-port", Integer.toString(tlsPort), "--tls-cert-file", dir.resolve("server.crt").toString(),
                "--tls-key-file", dir.resolve("server.key").toString(), "--tls-ca-cert-file",
                dir.resolve("ca.crt").toString(), "--tls-auth-clients", "no"))) {
            server.start();
            URI uri = URI.create("rediss://127.0.0.1:" + tlsPort);
            Duration timeout = Duration.ofSeconds(5);
            RemoteStoreConfig config = new RemoteStoreConfig(uri, new BlockNamespace("kvbm", 3, 0, 4096));
            try (RedisBlockStore store = new RedisBlockStore(RedisEndpoint.parse(uri, timeout,
                    Map.of(RedisEndpoint.ENV_TLS_CA, dir.resolve("ca.crt").toString())), config);
                 Arena arena = Arena.ofShared()) {
                MemorySegment block = arena.allocate(4096);
                for (long off = 0; off < 4096; off += 8) {
                    block.set(ValueLayout.JAVA_LONG_UNALIGNED, off, off * 31);
                }
                MemorySegment back = arena.allocate(4096);
                assertTrue(store.putIfAbsent(1, List.of(block)).join());
                assertTrue(store.get(1, List.of(back)).join());
                assertArrayEquals(block.toArray(ValueLayout.JAVA_BYTE), back.toArray(ValueLayout.JAVA_BYTE));
            }
            // The JDK's trust store does not know the test CA: the server is refused, not trusted blindly.
            KvbmException refused = assertThrows(KvbmException.class,
                    () -> new RedisBlockStore(RedisEndpoint.parse(uri, timeout, Map.of()), config));
            assertEquals(ErrorCode.IO_ERROR, refused.code());
        }
    }
}
