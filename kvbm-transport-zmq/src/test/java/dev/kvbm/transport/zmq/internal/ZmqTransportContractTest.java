package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.api.spi.TransportProvider;
import dev.kvbm.tck.Behavior;
import dev.kvbm.tck.TransportContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** The TCK's transport contract for zmq, on loopback ports picked free for each configuration. */
class ZmqTransportContractTest extends TransportContract {

    @Override
    protected TransportProvider createProvider() {
        return new ZmqTransportProvider();
    }

    @Override
    protected TransportConfig config(int worldSize) {
        return new TransportConfig("tcp://127.0.0.1:" + freePort(), "tcp://127.0.0.1:" + freePort(), worldSize,
                Duration.ofSeconds(10), Map.of());
    }

    @Override
    protected boolean hasBehavior(Behavior behavior) {
        return true;
    }

    /** Binds the leader's PUB endpoint itself and publishes frames no Dynamo leader would send. */
    @Override
    protected void sendMalformed(TransportConfig config) {
        try (ZContext context = new ZContext(1)) {
            ZMQ.Socket pub = context.createSocket(SocketType.PUB);
            pub.setLinger(0);
            Sockets.ipv6For(pub, config.publishEndpoint());
            pub.bind(config.publishEndpoint());
            sleep(200); // the worker reconnects every 100 ms and must subscribe before anything is published
            for (List<byte[]> frames : List.of(List.of(new byte[] {1, 2, 3}, "ping".getBytes()), // a 3-byte id
                    List.<byte[]>of(new byte[8]))) { // an id and no function
                Sockets.send(pub, frames);
            }
            sleep(100);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
