package dev.kvbm.transport.zmq.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.ClusterCodec;
import dev.kvbm.api.spi.LeaderTransport;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.api.spi.WorkerReply;
import dev.kvbm.transport.zmq.ZmqOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZAuth;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The leader's PUB (requests to every worker) and PULL (their answers) sockets, bound. A round is one
 * message id: it completes when {@code worldSize} <em>distinct</em> workers answered it. PULL does not
 * name the sender, so a worker is identified by its connection's {@code Peer-Address} (the worker's
 * ip:port of its PUSH connection), which every ZMTP peer has, Dynamo's Rust workers included.
 *
 * <p>One thread receives the answers and completes the rounds. It also expires them: a round past its deadline
 * fails there (the loop wakes at least every {@link #RECEIVE_TIMEOUT_MILLIS} ms), so a broadcast schedules no
 * timer task and a completed round leaves nothing behind.
 */
public final class ZmqLeaderTransport implements LeaderTransport {
    private static final System.Logger LOG = System.getLogger(ZmqLeaderTransport.class.getName());

    private final TransportConfig config;
    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket pub;
    private final ZMQ.Socket pull;
    private final String publishEndpoint;
    private final String ackEndpoint;
    private final ZAuth auth;
    private final Map<Long, Round> rounds = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong anonymous = new AtomicLong();
    private final AtomicLong subscriptions = new AtomicLong();
    private final long maxMessageBytes;
    private final Thread loop;
    private volatile boolean closed;

    /** How long the receive loop waits for an answer before it looks at deadlines and subscriptions. */
    static final int RECEIVE_TIMEOUT_MILLIS = 10;
    /** How often deadlines and subscriptions are looked at while answers keep arriving. */
    private static final long HOUSEKEEPING_NANOS = TimeUnit.MILLISECONDS.toNanos(RECEIVE_TIMEOUT_MILLIS);

    private static final class Round {
        final long id;
        final String function;
        final Duration timeout;
        final long deadline;
        final Map<String, WorkerReply> replies = new LinkedHashMap<>();
        final CompletableFuture<List<WorkerReply>> future = new CompletableFuture<>();

        Round(long id, String function, Duration timeout) {
            this.id = id;
            this.function = function;
            this.timeout = timeout;
            this.deadline = System.nanoTime() + timeout.toNanos();
        }
    }

    ZmqLeaderTransport(TransportConfig config) {
        this.config = config;
        this.maxMessageBytes = ZmqOptions.maxMessageBytes(config.options());
        Sockets.checkBind(config.publishEndpoint(), config.options());
        Sockets.checkBind(config.ackEndpoint(), config.options());
        ZAuth zap = null;
        try {
            // XPUB speaks to SUB peers exactly as PUB does, and also tells the leader when a worker subscribes,
            // so a handshake round a late subscriber missed can be sent again at once instead of after 2 s.
            pub = context.createSocket(SocketType.XPUB);
            pub.setXpubVerbose(true);
            pull = context.createSocket(SocketType.PULL);
            Sockets.limit(pub, config.options());
            Sockets.limit(pull, config.options());
            pub.setLinger(0);
            pull.setLinger(0);
            pub.setSndHWM(100_000);
            pull.setRcvHWM(100_000);
            pull.setReceiveTimeOut(RECEIVE_TIMEOUT_MILLIS);
            String secret = config.options().get(ZmqOptions.CURVE_SERVER_SECRET_FILE);
            if (secret != null) {
                byte[][] keys = Sockets.readCert(ZmqOptions.CURVE_SERVER_SECRET_FILE, secret, true);
                String allowed = config.options().get(ZmqOptions.CURVE_ALLOWED_CLIENTS_DIR);
                if (allowed != null) {
                    if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of(allowed))) {
                        throw KvbmException.invalid(ZmqOptions.CURVE_ALLOWED_CLIENTS_DIR, allowed,
                                "a directory of worker public certificates");
                    }
                    zap = new ZAuth(context);
                    zap.configureCurve(allowed);
                }
                Sockets.serverCurve(pub, keys);
                Sockets.serverCurve(pull, keys);
            }
            Sockets.ipv6For(pub, config.publishEndpoint());
            Sockets.ipv6For(pull, config.ackEndpoint());
            pub.bind(config.publishEndpoint());
            pull.bind(config.ackEndpoint());
            publishEndpoint = pub.getLastEndpoint();
            ackEndpoint = pull.getLastEndpoint();
        } catch (RuntimeException e) {
            if (zap != null) {
                zap.close();
            }
            context.close();
            throw e instanceof KvbmException k ? k : new KvbmException(ErrorCode.IO_ERROR, "cannot bind the leader's "
                    + "sockets " + config.publishEndpoint() + " / " + config.ackEndpoint() + ": " + e.getMessage(), e);
        }
        auth = zap;
        loop = Thread.ofPlatform().name("kvbm-zmq-leader").daemon().start(this::receiveLoop);
    }

    /** The bound PUB endpoint (with the real port when the configured one was {@code *}). */
    @Override
    public String publishEndpoint() {
        return publishEndpoint;
    }

    @Override
    public ClusterCodec codec() {
        return DynamoCodec.INSTANCE;
    }

    @Override
    public String ackEndpoint() {
        return ackEndpoint;
    }

    @Override
    public int worldSize() {
        return config.worldSize();
    }

    @Override
    public CompletableFuture<List<WorkerReply>> broadcast(String function, List<byte[]> data, Duration timeout) {
        if (closed) {
            return CompletableFuture.failedFuture(new KvbmException(ErrorCode.INVALID_STATE, "leader transport closed"));
        }
        for (byte[] frame : data) {
            if (frame.length > maxMessageBytes) {
                // the workers would drop the connection on it: refuse here, where the caller learns why
                return CompletableFuture.failedFuture(KvbmException.forField(ErrorCode.INVALID_ARGUMENT,
                        ZmqOptions.MAX_MESSAGE_BYTES, function + " has a " + frame.length + "-byte frame, more than "
                                + ZmqOptions.MAX_MESSAGE_BYTES + " = " + maxMessageBytes + " allows"));
            }
        }
        long id = nextId.incrementAndGet(); // pre-incremented: the first id is 1, as in Dynamo
        Round round = new Round(id, function, timeout);
        rounds.put(id, round);
        List<byte[]> frames = new ArrayList<>(data.size() + 2);
        frames.add(Sockets.id(id));
        frames.add(function.getBytes(StandardCharsets.UTF_8));
        frames.addAll(data);
        boolean sent;
        synchronized (pub) {
            sent = !closed && Sockets.send(pub, frames);
        }
        if (!sent) {
            rounds.remove(id);
            round.future.completeExceptionally(new KvbmException(ErrorCode.IO_ERROR, "could not publish " + function));
            return round.future;
        }
        return round.future;
    }

    /** Fails every round past its deadline. */
    private void expireRounds(long now) {
        for (Round round : rounds.values()) {
            if (now - round.deadline >= 0) {
                expire(round);
            }
        }
    }

    private void expire(Round round) {
        if (rounds.remove(round.id, round)) {
            int answered;
            List<String> who;
            synchronized (round) {
                answered = round.replies.size();
                who = List.copyOf(round.replies.keySet());
            }
            round.future.completeExceptionally(new KvbmException(ErrorCode.TIMEOUT, answered + " of " + worldSize()
                    + " workers answered " + round.function + " (id " + round.id + ") within " + round.timeout.toMillis()
                    + " ms" + (who.isEmpty() ? "" : "; answered: " + who)));
        }
    }

    private void receiveLoop() {
        zmq.io.Metadata[] meta = new zmq.io.Metadata[1];
        long nextHousekeeping = 0;
        while (!closed) {
            List<byte[]> frames;
            try {
                frames = Sockets.receive(pull, meta);
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "receive failed, continuing: " + e);
                continue;
            }
            if (frames != null) {
                onAnswer(frames, meta[0]);
            }
            // Not after every answer: the subscriptions' receive takes the PUB lock a broadcast needs.
            long now = System.nanoTime();
            if (frames == null || now - nextHousekeeping >= 0) {
                nextHousekeeping = now + HOUSEKEEPING_NANOS;
                expireRounds(now);
                drainSubscriptions();
            }
        }
    }

    private void drainSubscriptions() {
        synchronized (pub) {
            if (closed) {
                return;
            }
            byte[] event;
            while ((event = pub.recv(ZMQ.DONTWAIT)) != null) {
                if (event.length > 0 && event[0] == 1) {
                    subscriptions.incrementAndGet();
                }
            }
        }
    }

    /** Subscriptions seen so far (one per worker connection that subscribed); grows when a worker (re)joins. */
    @Override
    public long subscriptions() {
        return subscriptions.get();
    }

    private void onAnswer(List<byte[]> frames, zmq.io.Metadata meta) {
        if (frames.getFirst() == null || frames.getFirst().length != 8) {
            Sockets.logRepeated(LOG, malformed.incrementAndGet(), "dropped an answer whose id frame is not 8 bytes");
            return;
        }
        long id = Sockets.id(frames.get(0));
        Round round = rounds.get(id);
        if (round == null) {
            late.incrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, () -> "ignored an answer to unknown or finished message " + id);
            return;
        }
        String worker = meta == null ? null : meta.get(zmq.io.Metadata.PEER_ADDRESS);
        if (worker == null || worker.isEmpty()) {
            // No address (not TCP): each answer counts once, as Dynamo counts messages.
            worker = "anonymous-" + anonymous.incrementAndGet();
        }
        Optional<byte[]> payload = frames.size() >= 3 ? Optional.of(frames.get(2)) : Optional.empty();
        List<WorkerReply> done = null;
        synchronized (round) {
            if (round.replies.containsKey(worker)) {
                duplicates.incrementAndGet();
                return;
            }
            round.replies.put(worker, new WorkerReply(worker, payload));
            if (round.replies.size() >= worldSize()) {
                done = List.copyOf(round.replies.values());
            }
        }
        if (done != null && rounds.remove(id, round)) {
            round.future.complete(done);
        }
    }

    /** Answers dropped because their frames were malformed. */
    public long malformedAnswers() {
        return malformed.get();
    }

    /** Answers to ids that were unknown, finished or timed out. */
    public long lateAnswers() {
        return late.get();
    }

    /** Second answers from the same worker to the same id (never counted twice). */
    public long duplicateAnswers() {
        return duplicates.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Round r : rounds.values()) {
            r.future.completeExceptionally(new KvbmException(ErrorCode.INVALID_STATE, "leader transport closed"));
        }
        rounds.clear();
        if (auth != null) {
            auth.close();
        }
        synchronized (pub) {
            context.close();
        }
    }
}
