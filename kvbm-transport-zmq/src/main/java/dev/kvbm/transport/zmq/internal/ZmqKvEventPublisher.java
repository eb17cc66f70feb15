package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.events.KvEventBatch;
import dev.kvbm.api.events.KvEventPublisher;
import dev.kvbm.api.spi.KvEventsConfig;
import dev.kvbm.transport.zmq.ZmqOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * vLLM's ZmqEventPublisher, in Java: a PUB socket sends {@code [topic, 8-byte big-endian sequence number,
 * payload]} per batch, sequence numbers from 0 up by one; an optional ROUTER socket answers
 * {@code [identity, empty, start sequence]} with {@code [identity, empty, seq, payload]} for every buffered
 * batch from there, then {@code [identity, empty, -1, empty]}. One thread owns both sockets (ZeroMQ
 * sockets are not thread-safe); the manager only queues, so a slow subscriber never blocks it.
 */
final class ZmqKvEventPublisher implements KvEventPublisher {
    private static final System.Logger LOG = System.getLogger(ZmqKvEventPublisher.class.getName());
    private static final byte[] END = ByteBuffer.allocate(8).putLong(-1).array();
    private static final long IDLE_POLL_MILLIS = 5;

    private record Buffered(long seq, byte[] payload) {
    }

    private final ZContext context = new ZContext();
    private final ZMQ.Socket pub;
    private final ZMQ.Socket replay;
    private final byte[] topic;
    private final int dpRank;
    private final int replayCapacity;
    private final ArrayDeque<Buffered> buffer = new ArrayDeque<>();
    private final BlockingQueue<KvEventBatch> queue;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    ZmqKvEventPublisher(KvEventsConfig config) {
        Map<String, String> bindPolicy = Map.of(ZmqOptions.ALLOW_NON_LOOPBACK, Boolean.toString(config.allowNonLoopback()));
        Sockets.checkBind(config.endpoint(), bindPolicy);
        config.replayEndpoint().ifPresent(e -> Sockets.checkBind(e, bindPolicy));
        this.topic = config.topic().getBytes(StandardCharsets.UTF_8);
        this.dpRank = config.dataParallelRank();
        this.replayCapacity = config.replayBatches();
        this.queue = new ArrayBlockingQueue<>(config.queueBatches());
        try {
            pub = context.createSocket(SocketType.PUB);
            pub.setSndHWM(100_000);
            bind(pub, "events endpoint", config.endpoint());
            replay = config.replayEndpoint().map(e -> {
                ZMQ.Socket r = context.createSocket(SocketType.ROUTER);
                bind(r, "events replay endpoint", e);
                return r;
            }).orElse(null);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
        thread = Thread.ofPlatform().daemon().name("kvbm-kv-events").unstarted(this::loop);
        thread.start();
    }

    private static void bind(ZMQ.Socket socket, String what, String endpoint) {
        try {
            Sockets.ipv6For(socket, endpoint);
            socket.bind(endpoint);
        } catch (ZMQException | IllegalArgumentException e) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, what, what + " " + endpoint + " cannot be bound: "
                    + e.getMessage());
        }
    }

    @Override
    public boolean offer(KvEventBatch batch) {
        if (!running) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "the KV event publisher is closed");
        }
        if (batch.events().isEmpty()) {
            return true;
        }
        if (queue.offer(batch)) {
            accepted.incrementAndGet();
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    @Override
    public long published() {
        return published.get();
    }

    @Override
    public long dropped() {
        return dropped.get();
    }

    @Override
    public boolean flush(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (published.get() < accepted.get()) {
            if (System.nanoTime() - deadline > 0 || !thread.isAlive()) {
                return false;
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void loop() {
        while (running || !queue.isEmpty()) {
            try {
                KvEventBatch batch = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (batch != null) {
                    send(batch);
                }
                serveReplays();
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "publishing KV events failed: " + e);
            }
        }
    }

    private void send(KvEventBatch batch) {
        KvEventBatch ranked = batch.dataParallelRank() == dpRank ? batch
                : new KvEventBatch(batch.timestamp(), batch.events(), dpRank);
        byte[] payload = VllmKvEventCodec.encode(ranked);
        long seq = published.get();
        pub.sendMore(topic);
        pub.sendMore(ByteBuffer.allocate(8).putLong(seq).array());
        pub.send(payload);
        buffer.addLast(new Buffered(seq, payload));
        if (buffer.size() > replayCapacity) {
            buffer.removeFirst(); // published, no longer replayable
        }
        published.incrementAndGet();
    }

    private void serveReplays() {
        if (replay == null) {
            return;
        }
        byte[] identity;
        while ((identity = replay.recv(ZMQ.DONTWAIT)) != null) {
            byte[] delimiter = replay.hasReceiveMore() ? replay.recv() : null;
            byte[] start = replay.hasReceiveMore() ? replay.recv() : null;
            boolean extra = false;
            while (replay.hasReceiveMore()) {
                replay.recv();
                extra = true;
            }
            if (delimiter == null || delimiter.length != 0 || start == null || start.length != 8 || extra) {
                LOG.log(System.Logger.Level.WARNING, "ignoring a malformed KV event replay request: expected"
                        + " [identity, empty, 8-byte start sequence]");
                continue;
            }
            long from = ByteBuffer.wrap(start).getLong();
            for (Buffered b : buffer) {
                if (b.seq() >= from) {
                    replay.sendMore(identity);
                    replay.sendMore(new byte[0]);
                    replay.sendMore(ByteBuffer.allocate(8).putLong(b.seq()).array());
                    replay.send(b.payload());
                }
            }
            replay.sendMore(identity);
            replay.sendMore(new byte[0]);
            replay.sendMore(END);
            replay.send(new byte[0]);
        }
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
        context.close();
    }
}
