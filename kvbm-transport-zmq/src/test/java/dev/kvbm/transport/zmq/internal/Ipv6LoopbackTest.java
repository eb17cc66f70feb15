package dev.kvbm.transport.zmq.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.events.KvEventPublisher;
import dev.kvbm.api.spi.KvEventsConfig;
import dev.kvbm.api.spi.TransportConfig;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Issue 15 item 18: {@code tcp://[::1]:PORT} works for the leader, the worker and the KV-event endpoints (JeroMQ
 * resolves only IPv4 unless a socket has IPv6 on). The whole transport contract runs on IPv6 loopback too.
 */
class Ipv6LoopbackTest extends ZmqTransportContractTest {

    @BeforeAll
    static void ipv6LoopbackIsThere() {
        assumeTrue(freePort6() > 0, "no IPv6 loopback here (::1 cannot be bound: IPv6 disabled in this sandbox or "
                + "kernel)");
    }

    @Override
    protected TransportConfig config(int worldSize) {
        return new TransportConfig("tcp://[::1]:" + freePort6(), "tcp://[::1]:" + freePort6(), worldSize,
                Duration.ofSeconds(10), Map.of());
    }

    @Test
    void kvEventsArePublishedOnIpv6Loopback() throws Exception {
        String pub = "tcp://[::1]:" + freePort6();
        try (KvEventPublisher publisher = new ZmqKvEventPublisherProvider().open(new KvEventsConfig(pub, Optional.empty()));
             ZContext ctx = new ZContext()) {
            ZMQ.Socket sub = ctx.createSocket(SocketType.SUB);
            sub.setIPv6(true);
            // As kvbm's own connecting sockets do (Sockets.limit): JeroMQ 0.6.0 sometimes stalls a handshake between
            // two contexts of one JVM; a short handshake interval drops and retries such a connection.
            sub.setHandshakeIvl(1000);
            sub.setReconnectIVL(50);
            sub.monitor("inproc://ipv6-sub-monitor", ZMQ.EVENT_ALL);
            ZMQ.Socket mon = ctx.createSocket(SocketType.PAIR);
            mon.connect("inproc://ipv6-sub-monitor");
            sub.subscribe(new byte[0]);
            sub.connect(pub);
            sub.setReceiveTimeOut(200);
            long seq = -1;
            for (int attempt = 0; attempt < 100 && seq < 0; attempt++) {
                assertTrue(publisher.offer(KvEventPublisherTest.batch(attempt)));
                byte[] topic = sub.recv();
                if (topic != null) {
                    seq = ByteBuffer.wrap(sub.recv()).getLong();
                    assertEquals(1000.5 + seq, KvEventPublisherTest.decode(sub.recv()).get("ts").asFloatValue().toDouble());
                }
            }
            StringBuilder events = new StringBuilder();
            for (ZMQ.Event e = ZMQ.Event.recv(mon, ZMQ.DONTWAIT); e != null; e = ZMQ.Event.recv(mon, ZMQ.DONTWAIT)) {
                events.append(e.getEvent()).append(' ').append(e.getValue()).append("; ");
            }
            assertTrue(seq >= 0, "a subscriber on [::1] received a batch (" + publisher.published() + " published to "
                    + pub + ", " + publisher.dropped() + " dropped; " + events + ")");
        }
    }

    /** A free port on ::1, or -1 when IPv6 loopback cannot be bound here. */
    static int freePort6() {
        try {
            InetAddress loopback6 = Inet6Address.getByName("::1");
            try (ServerSocket s = new ServerSocket(0, 1, loopback6)) {
                return s.getLocalPort();
            }
        } catch (IOException e) {
            return -1;
        }
    }
}
