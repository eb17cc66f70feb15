package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.ClusterCodec;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.api.spi.WorkerMessage;
import dev.kvbm.api.spi.WorkerTransport;
import dev.kvbm.transport.zmq.ZmqOptions;
import java.util.List;
import java.util.function.Function;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A worker's SUB (every message) and PUSH sockets, connected to the leader; one receive thread, which also runs
 * the handler ({@link WorkerDispatcher}).
 */
final class ZmqWorkerTransport implements WorkerTransport {
    private static final System.Logger LOG = System.getLogger(ZmqWorkerTransport.class.getName());

    private final TransportConfig config;
    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket sub;
    private final ZMQ.Socket push;
    private final ConnectionWatch subWatch;
    private final ConnectionWatch pushWatch;
    private volatile boolean closed;
    private volatile WorkerDispatcher dispatcher;
    private Thread loop;

    ZmqWorkerTransport(TransportConfig config) {
        this.config = config;
        try {
            sub = context.createSocket(SocketType.SUB);
            push = context.createSocket(SocketType.PUSH);
            for (ZMQ.Socket s : List.of(sub, push)) {
                Sockets.limit(s, config.options());
                s.setLinger(0);
                s.setReconnectIVL(100);
                s.setReconnectIVLMax(1000);
            }
            sub.setReceiveTimeOut(100);
            sub.setRcvHWM(100_000);
            push.setSndHWM(100_000);
            String serverKeyFile = config.options().get(ZmqOptions.CURVE_SERVER_PUBLIC_FILE);
            if (serverKeyFile != null) {
                byte[] server = Sockets.readCert(ZmqOptions.CURVE_SERVER_PUBLIC_FILE, serverKeyFile, false)[0];
                String own = config.options().get(ZmqOptions.CURVE_CLIENT_SECRET_FILE);
                byte[][] keys;
                if (own != null) {
                    keys = Sockets.readCert(ZmqOptions.CURVE_CLIENT_SECRET_FILE, own, true);
                } else {
                    ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
                    keys = new byte[][] {ZMQ.Curve.z85Decode(pair.publicKey), ZMQ.Curve.z85Decode(pair.secretKey)};
                }
                Sockets.clientCurve(sub, server, keys);
                Sockets.clientCurve(push, server, keys);
            }
            Sockets.ipv6For(sub, config.publishEndpoint());
            Sockets.ipv6For(push, config.ackEndpoint());
            sub.subscribe(new byte[0]);
            subWatch = new ConnectionWatch(context, sub, config.publishEndpoint(), "the worker's SUB", sub);
            pushWatch = new ConnectionWatch(context, push, config.ackEndpoint(), "the worker's PUSH", push);
            if (!sub.connect(config.publishEndpoint()) || !push.connect(config.ackEndpoint())) {
                throw new KvbmException(ErrorCode.IO_ERROR, "cannot connect to " + config.publishEndpoint() + " / "
                        + config.ackEndpoint());
            }
        } catch (RuntimeException e) {
            context.close();
            throw e instanceof KvbmException k ? k : new KvbmException(ErrorCode.IO_ERROR,
                    "cannot open the worker's sockets: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void start(Function<WorkerMessage, Answer> handler) {
        if (loop != null) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "worker transport already started");
        }
        dispatcher = new WorkerDispatcher(handler, this::send);
        loop = Thread.ofPlatform().name("kvbm-zmq-worker").daemon().start(this::receiveLoop);
    }

    private void send(List<byte[]> frames) {
        synchronized (push) {
            if (!closed && !Sockets.send(push, frames)) {
                LOG.log(System.Logger.Level.WARNING, "could not send an answer to " + config.ackEndpoint());
            }
        }
    }

    /** How often the connection watches are polled: their events only matter within seconds (a 2 s grace). */
    private static final long WATCH_POLL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50);

    private void receiveLoop() {
        long nextWatch = 0;
        while (!closed) {
            List<byte[]> frames;
            try {
                frames = Sockets.receive(sub, null);
            } catch (RuntimeException e) { // the context was closed under us, or a JeroMQ fault: never a dead worker silently
                if (closed) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "receive failed, continuing: " + e);
                continue;
            }
            if (frames != null) {
                dispatcher.onFrames(frames);
            }
            // Not after every message: each poll is a non-blocking receive on a monitor socket, on the answer's path.
            long now = System.nanoTime();
            if (frames == null || now - nextWatch >= 0) {
                nextWatch = now + WATCH_POLL_NANOS;
                subWatch.poll();
                pushWatch.poll();
            }
        }
    }

    @Override
    public ClusterCodec codec() {
        return DynamoCodec.INSTANCE;
    }

    @Override
    public long malformedMessages() {
        WorkerDispatcher d = dispatcher;
        return d == null ? 0 : d.malformedMessages();
    }

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = loop;
        }
        if (t != null) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (push) {
            context.close();
        }
    }
}
