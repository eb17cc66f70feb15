package dev.kvbm.transport.zmq.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor;

/**
 * Watches one connecting socket through its monitor: logs when its connection is lost and when it is back,
 * and restarts the connection itself, because JeroMQ gives an endpoint up for good after a protocol error
 * (a peer that announced an oversized frame, for example) instead of reconnecting. Polled, never blocking,
 * from the thread that owns the socket; {@code lock} guards a socket other threads also use.
 */
final class ConnectionWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConnectionWatch.class.getName());
    private static final AtomicInteger IDS = new AtomicInteger();

    private final ZMQ.Socket socket;
    private final String endpoint;
    private final String role;
    private final Object lock;
    private final ZMQ.Socket events;
    private final AtomicLong losses = new AtomicLong();
    private boolean lost;

    ConnectionWatch(ZContext context, ZMQ.Socket socket, String endpoint, String role, Object lock) {
        this.socket = socket;
        this.endpoint = endpoint;
        this.role = role;
        this.lock = lock;
        String address = "inproc://kvbm-watch-" + IDS.incrementAndGet();
        socket.monitor(address, ZMQ.EVENT_CONNECTED | ZMQ.EVENT_DISCONNECTED | ZMQ.EVENT_HANDSHAKE_PROTOCOL);
        events = context.createSocket(SocketType.PAIR);
        events.setLinger(0);
        events.connect(address);
    }

    /**
     * How long a lost connection is left to JeroMQ's own reconnect before it is restarted here. JeroMQ
     * reconnects a plain disconnect by itself; restarting one it already re-established would drop that live
     * session, whose DISCONNECTED would trigger another restart: a storm (seen with a restarted leader under
     * load). So only a connection still lost after this grace is restarted (again every grace while lost).
     */
    static final long RESTART_GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

    private long lostSince;

    /** Handles the events that arrived since the last call, and restarts a connection JeroMQ gave up. */
    void poll() {
        ZEvent e;
        while ((e = ZEvent.recv(events, ZMQ.DONTWAIT)) != null) {
            if (e.getEvent() == ZMonitor.Event.DISCONNECTED) {
                if (!lost) {
                    lost = true;
                    lostSince = System.nanoTime();
                    Sockets.logRepeated(LOG, losses.incrementAndGet(), role + " lost its connection to " + endpoint
                            + "; reconnecting");
                }
            } else if (e.getEvent() == ZMonitor.Event.CONNECTED && lost) {
                lost = false;
                LOG.log(System.Logger.Level.INFO, role + " reconnected to " + endpoint);
            }
        }
        if (lost && System.nanoTime() - lostSince > RESTART_GRACE_NANOS) {
            lostSince = System.nanoTime();
            reconnect();
        }
    }

    private void reconnect() {
        synchronized (lock) {
            socket.disconnect(endpoint); // false when JeroMQ already gave the endpoint up: connect starts afresh
            socket.connect(endpoint);
        }
    }

    /** Connections lost so far (each one restarted). */
    long losses() {
        return losses.get();
    }

    @Override
    public void close() {
        events.close();
    }
}
