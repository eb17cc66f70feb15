package dev.kvbm.transport.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.core.cluster.Leader;
import dev.kvbm.core.cluster.LeaderSettings;
import dev.kvbm.core.cluster.Sizing;
import dev.kvbm.core.cluster.Worker;
import dev.kvbm.core.cluster.WorkerSpec;
import dev.kvbm.core.providers.ProviderRegistry;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fault injection with a raw ZMTP peer. Injected: a frame header claiming 2^31+100 or 2^62 bytes (on a worker's
 * SUB, on the leader's PULL), and a peer that completes the handshake and then answers nothing. What must hold:
 * nothing is allocated for the claimed length, the process survives, the connection is dropped (by the maximum
 * message size, or by ZMTP heartbeats for the silent peer), and the worker is back with a real leader bound on
 * the same port within 30 s.
 */
@Tag("fault")
class HostileZmtpPeerTest {
    private static final ProviderRegistry REGISTRY = ProviderRegistry.load();

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** ZMTP 3.0 greeting, NULL mechanism, as a server. */
    private static byte[] greeting() {
        return greeting(true);
    }

    private static byte[] greeting(boolean asServer) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put((byte) 0xFF).put(new byte[8]).put((byte) 0x7F).put((byte) 3).put((byte) 1); // ZMTP 3.1: heartbeats

        byte[] mechanism = new byte[20];
        System.arraycopy("NULL".getBytes(StandardCharsets.US_ASCII), 0, mechanism, 0, 4);
        b.put(mechanism).put((byte) (asServer ? 1 : 0)); // as-server, then 31 bytes of filler
        return b.array();
    }

    /** The READY command of a PUB socket. */
    private static byte[] ready() {
        return ready("PUB");
    }

    private static byte[] ready(String socketType) {
        byte[] name = "Socket-Type".getBytes(StandardCharsets.US_ASCII);
        byte[] value = socketType.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer body = ByteBuffer.allocate(6 + 1 + name.length + 4 + value.length);
        body.put((byte) 5).put("READY".getBytes(StandardCharsets.US_ASCII)).put((byte) name.length).put(name)
                .putInt(value.length).put(value);
        ByteBuffer frame = ByteBuffer.allocate(2 + body.capacity());
        frame.put((byte) 0x04).put((byte) body.capacity()).put(body.array());
        return frame.array();
    }

    /** Accepts the worker's SUB connection, completes the ZMTP handshake, then claims a {@code length}-byte frame. */
    private static void attack(ServerSocket server, long length) throws IOException {
        server.setSoTimeout(20_000);
        try (Socket s = server.accept()) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(greeting());
            byte[] theirs = new byte[64];
            in.readFully(theirs);
            assertEquals(0xFF, theirs[0] & 0xFF, "the worker speaks ZMTP");
            out.write(ready());
            out.write(ByteBuffer.allocate(9).put((byte) 0x02).putLong(length).array()); // a long frame, no body
            out.flush();
            // the worker drops this connection: its end closes (or the read times out if it waits for the body)
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            try {
                while (System.nanoTime() < end && in.read() >= 0) {
                    // the worker's READY and subscription
                }
            } catch (IOException dropped) {
                // reset by the worker
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {2147483748L, 1L << 62})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aWorkerIsBackWithItsLeaderWithin30sAfterAnOversizedFrame(long claimed) throws Exception {
        int pub = freePort();
        int ack = freePort();
        String pubEndpoint = "tcp://127.0.0.1:" + pub;
        String ackEndpoint = "tcp://127.0.0.1:" + ack;
        LayoutConfig g1 = new LayoutConfig(8, 2, 2, 4, 8, 1, 2);
        ServerSocket hostile = new ServerSocket(pub, 1, InetAddress.getLoopbackAddress());
        try (Worker worker = Worker.start(new TransportConfig(pubEndpoint, ackEndpoint, 1, Duration.ofSeconds(10), Map.of()),
                new WorkerSpec(g1, LayoutType.FULLY_CONTIGUOUS, Map.of("kvbm.host.mlock", "false"), Duration.ofSeconds(5)),
                REGISTRY)) {
            try {
                attack(hostile, claimed);
            } finally {
                hostile.close(); // the port is free for the real leader
            }
            long t0 = System.nanoTime();
            try (Leader leader = Leader.start(new TransportConfig(pubEndpoint, ackEndpoint, 1, Duration.ofSeconds(30), Map.of()),
                    new LeaderSettings(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(1),
                            new Sizing(4, 0, 0, 0)), REGISTRY)) {
                assertEquals(8, leader.awaitReady(Duration.ofSeconds(35)).numDeviceBlocks());
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
                assertTrue(seconds <= 30, "back with its leader after " + seconds + " s");
                assertTrue(worker.isReady());
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aLeaderSurvivesAnOversizedFrameOnItsPull() throws Exception {
        try (Leader leader = Leader.start(new TransportConfig("tcp://127.0.0.1:*", "tcp://localhost:*", 1,
                Duration.ofSeconds(30), Map.of()), new LeaderSettings(Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofSeconds(1), new Sizing(4, 0, 0, 0)), REGISTRY)) {
            String ack = leader.ackEndpoint();
            int port = Integer.parseInt(ack.substring(ack.lastIndexOf(':') + 1));
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                s.getOutputStream().write(greeting(false));
                in.readFully(new byte[64]);
                s.getOutputStream().write(ready("PUSH"));
                s.getOutputStream().write(ByteBuffer.allocate(9).put((byte) 0x02).putLong(1L << 62).array());
                s.getOutputStream().flush();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                try {
                    while (System.nanoTime() < end && in.read() >= 0) {
                        // the leader's READY, then its end of the connection closes
                    }
                } catch (IOException dropped) {
                    // reset by the leader
                }
            }
            LayoutConfig g1 = new LayoutConfig(8, 2, 2, 4, 8, 1, 2);
            try (Worker worker = Worker.start(new TransportConfig(leader.publishEndpoint(), ack, 1, Duration.ofSeconds(10),
                    Map.of()), new WorkerSpec(g1, LayoutType.FULLY_CONTIGUOUS, Map.of("kvbm.host.mlock", "false"),
                    Duration.ofSeconds(5)), REGISTRY)) {
                assertEquals(4, leader.awaitReady(Duration.ofSeconds(30)).numHostBlocks(), "the leader still serves");
                assertTrue(worker.isReady());
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSilentPeerIsDroppedByHeartbeatsAndTheWorkerFindsItsLeader() throws Exception {
        int pub = freePort();
        int ack = freePort();
        String pubEndpoint = "tcp://127.0.0.1:" + pub;
        String ackEndpoint = "tcp://127.0.0.1:" + ack;
        Map<String, String> heartbeats = Map.of(ZmqOptions.HEARTBEAT_MILLIS, "200", ZmqOptions.HEARTBEAT_TIMEOUT_MILLIS, "1000");
        LayoutConfig g1 = new LayoutConfig(8, 2, 2, 4, 8, 1, 2);
        ServerSocket silent = new ServerSocket(pub, 1, InetAddress.getLoopbackAddress());
        try (Worker worker = Worker.start(new TransportConfig(pubEndpoint, ackEndpoint, 1, Duration.ofSeconds(10), heartbeats),
                new WorkerSpec(g1, LayoutType.FULLY_CONTIGUOUS, Map.of("kvbm.host.mlock", "false"), Duration.ofSeconds(5)),
                REGISTRY)) {
            silent.setSoTimeout(20_000);
            long dropped;
            try (silent; Socket s = silent.accept()) {
                s.setSoTimeout(15_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                s.getOutputStream().write(greeting());
                in.readFully(new byte[64]);
                s.getOutputStream().write(ready());
                s.getOutputStream().flush();
                long t0 = System.nanoTime();
                // never answer: the worker's PINGs go unanswered until it gives the connection up
                try {
                    while (in.read() >= 0) {
                        // its READY, subscription and PINGs
                    }
                } catch (java.net.SocketException reset) {
                    // reset by the worker
                }
                dropped = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            }
            assertTrue(dropped < 10_000, "a silent peer is dropped after the heartbeat timeout, not waited on (" + dropped + " ms)");
            try (Leader leader = Leader.start(new TransportConfig(pubEndpoint, ackEndpoint, 1, Duration.ofSeconds(30), heartbeats),
                    new LeaderSettings(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(1),
                            new Sizing(4, 0, 0, 0)), REGISTRY)) {
                assertEquals(8, leader.awaitReady(Duration.ofSeconds(30)).numDeviceBlocks());
                assertTrue(worker.isReady());
            }
        }
    }

    @Test
    void theLeaderRefusesToSendWhatItsWorkersWouldDrop() {
        Map<String, String> small = Map.of(ZmqOptions.MAX_MESSAGE_BYTES, "4096");
        try (var leader = new dev.kvbm.transport.zmq.internal.ZmqTransportProvider().openLeader(new TransportConfig(
                "tcp://127.0.0.1:*", "tcp://localhost:*", 1, Duration.ofSeconds(5), small))) {
            var e = assertThrows(java.util.concurrent.CompletionException.class,
                    () -> leader.broadcast("transfer_blocks", List.of(new byte[4097]), Duration.ofSeconds(1)).join());
            KvbmException k = (KvbmException) e.getCause();
            assertEquals(ErrorCode.INVALID_ARGUMENT, k.code());
            assertEquals(Optional.of(ZmqOptions.MAX_MESSAGE_BYTES), k.field());
            assertTrue(k.getMessage().contains("4097-byte frame"), k.getMessage());
        }
    }

    @Test
    void limitsAreCheckedWithTheirRange() {
        assertEquals(ZmqOptions.DEFAULT_MAX_MESSAGE_BYTES, ZmqOptions.maxMessageBytes(Map.of()));
        assertEquals(65536, ZmqOptions.maxMessageBytes(Map.of(ZmqOptions.MAX_MESSAGE_BYTES, "65536")));
        KvbmException e = assertThrows(KvbmException.class,
                () -> ZmqOptions.maxMessageBytes(Map.of(ZmqOptions.MAX_MESSAGE_BYTES, "100")));
        assertTrue(e.getMessage().contains("4096..2147483647"), e.getMessage());
        e = assertThrows(KvbmException.class, () -> ZmqOptions.heartbeatMillis(Map.of(ZmqOptions.HEARTBEAT_MILLIS, "x")));
        assertEquals(Optional.of(ZmqOptions.HEARTBEAT_MILLIS), e.field());
        // a worker with a bad limit fails at once, naming it
        e = assertThrows(KvbmException.class, () -> new dev.kvbm.transport.zmq.internal.ZmqTransportProvider().openWorker(
                new TransportConfig("tcp://127.0.0.1:1", "tcp://127.0.0.1:2", 1, Duration.ofSeconds(1),
                        Map.of(ZmqOptions.HEARTBEAT_TIMEOUT_MILLIS, "0"))));
        assertEquals(Optional.of(ZmqOptions.HEARTBEAT_TIMEOUT_MILLIS), e.field());
    }
}
