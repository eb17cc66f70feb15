package dev.kvbm.bench.benchmarks;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.bench.internal.BenchWorkerProcesses;
import dev.kvbm.core.cluster.Leader;
import dev.kvbm.core.cluster.LeaderSettings;
import dev.kvbm.core.cluster.Sizing;
import dev.kvbm.core.providers.ProviderRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A {@code transfer_blocks} round trip of 16 blocks (G1 -&gt; G2, 32 KiB per block per worker) from a leader in
 * this fork to 2 worker processes over ZeroMQ on loopback, next to its references measured in the same fork and
 * interleaved with it: a {@code ping} round trip to the same workers (the transport alone, no copy), a raw
 * JeroMQ REQ/REP round trip to the first worker's process (what ZeroMQ itself costs between two processes), and a
 * raw JeroMQ broadcast to the same worker processes answered by each on a PUSH socket (what the ping's messaging
 * costs done with bare JeroMQ: XPUB to 2 SUB, 2 PUSH to one PULL).
 *
 * <p>Each call of {@link #round} times one of each, in the order transfer, ping, broadcast, REQ/REP and then
 * reversed, so
 * a drifting machine (JIT, other load) moves all three alike. The figures are the medians (and the transfer's
 * 99th percentile, and the REQ/REP's, the tail of the platform itself) of each measurement iteration, reported as JMH auxiliary counters ({@link RoundTrips});
 * the primary score (the time of one call) is not used.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ZmqRoundTripBenchmark {
    private static final int WORKERS = 2;
    private static final int BLOCKS = 16;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration WORKER_WARMUP = Duration.ofSeconds(3);
    private static final int WORKER_WARMUP_ROUNDS = 2000;
    private static final byte[] PING = "ping".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final List<AutoCloseable> owned = new ArrayList<>();
    private Leader leader;
    private List<BlockPair> pairs;
    private ZMQ.Socket req;
    private final byte[] request = new byte[8];
    private ZMQ.Socket rawPub;
    private ZMQ.Socket rawPull;
    private long broadcastId;
    private boolean reversed;

    @Setup(Level.Trial)
    public void setUp() {
        String any = "tcp://127.0.0.1:*";
        Duration init = Duration.ofSeconds(60);
        // two wildcard endpoints must differ in their text: the same loopback, named twice
        leader = Leader.start(new TransportConfig(any, any.replace("127.0.0.1", "localhost"), WORKERS, init, Map.of()),
                new LeaderSettings(init, TIMEOUT, Duration.ofSeconds(1), new Sizing(2 * BLOCKS, 0, 0, 0)),
                ProviderRegistry.load());
        owned.add(leader);
        ZContext context = new ZContext(1);
        owned.add(context);
        req = context.createSocket(SocketType.REQ);
        req.setLinger(0);
        req.setReceiveTimeOut((int) TIMEOUT.toMillis());
        req.setSendTimeOut((int) TIMEOUT.toMillis()); // a REQ with no peer yet would wait for one forever
        // a request whose echo did not come may be sent again (stale echoes are dropped): the first one may be lost
        req.setReqRelaxed(true);
        req.setReqCorrelate(true);
        req.bind(any);
        rawPub = context.createSocket(SocketType.XPUB);
        rawPub.setXpubVerbose(true); // tells when each worker subscribed: nothing is broadcast before
        rawPub.setLinger(0);
        rawPub.setReceiveTimeOut((int) TIMEOUT.toMillis());
        rawPub.bind(any);
        rawPull = context.createSocket(SocketType.PULL);
        rawPull.setLinger(0);
        rawPull.setReceiveTimeOut((int) TIMEOUT.toMillis());
        rawPull.bind(any);
        BenchWorkerProcesses workers = new BenchWorkerProcesses(WORKERS, leader.publishEndpoint(), leader.ackEndpoint(),
                2 * BLOCKS, rawPub.getLastEndpoint(), rawPull.getLastEndpoint(), req.getLastEndpoint());
        owned.add(workers);
        try {
            leader.awaitReady(init);
        } catch (KvbmException e) {
            throw new KvbmException(e.code(), e.getMessage() + workers.exited(), e);
        }
        pairs = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            pairs.add(new BlockPair(i, BLOCKS + i));
        }
        firstEcho(init, workers);
        awaitRawSubscribers(workers);
        // The worker JVMs start cold and JMH warms up only this one: run every path until the JITs of all three
        // processes are done with it (JMH's own warm-up, a few hundred ms in quick mode, is far too short for that).
        long end = System.nanoTime() + WORKER_WARMUP.toNanos();
        for (int i = 0; i < WORKER_WARMUP_ROUNDS || System.nanoTime() < end; i++) {
            transfer();
            ping();
            broadcast();
            reqRep();
        }
    }

    /** One transfer, one ping, one raw broadcast and one REQ/REP round trip, each timed on its own. */
    @Benchmark
    public void round(RoundTrips samples) {
        if (reversed) {
            samples.reqRep.add(time(this::reqRep));
            samples.broadcast.add(time(this::broadcast));
            samples.ping.add(time(this::ping));
            samples.transfer.add(time(this::transfer));
        } else {
            samples.transfer.add(time(this::transfer));
            samples.ping.add(time(this::ping));
            samples.broadcast.add(time(this::broadcast));
            samples.reqRep.add(time(this::reqRep));
        }
        reversed = !reversed;
    }

    private static long time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return System.nanoTime() - t0;
    }

    private void transfer() {
        leader.move(Tier.G1, Tier.G2, pairs).join();
    }

    private void ping() {
        leader.call("ping", List.of(), TIMEOUT).join();
    }

    private void reqRep() {
        if (!req.send(request, 0) || req.recv(0) == null) {
            throw new KvbmException(ErrorCode.TIMEOUT, "the REQ/REP reference got no echo within " + TIMEOUT.toMillis()
                    + " ms");
        }
    }

    /** What a ping's messaging is with bare JeroMQ: {@code [id, "ping"]} to every worker, each answering {@code [id]}. */
    private void broadcast() {
        byte[] id = new byte[8];
        java.nio.ByteBuffer.wrap(id).putLong(++broadcastId);
        rawPub.send(id, ZMQ.SNDMORE);
        rawPub.send(PING, 0);
        for (int answered = 0; answered < WORKERS; ) {
            byte[] answer = rawPull.recv(0);
            if (answer == null) {
                throw new KvbmException(ErrorCode.TIMEOUT, answered + " of " + WORKERS + " workers answered the raw "
                        + "broadcast within " + TIMEOUT.toMillis() + " ms");
            }
            if (Arrays.equals(answer, id)) {
                answered++;
            }
        }
    }

    /** Waits until every worker's raw SUB subscribed (XPUB drops what it publishes before that). */
    private void awaitRawSubscribers(BenchWorkerProcesses workers) {
        for (int subscribed = 0; subscribed < WORKERS; ) {
            byte[] event = rawPub.recv(0);
            if (event == null) {
                throw new KvbmException(ErrorCode.TIMEOUT, subscribed + " of " + WORKERS + " workers subscribed to the "
                        + "raw broadcast within " + TIMEOUT.toMillis() + " ms" + workers.exited());
            }
            if (event.length > 0 && event[0] == 1) {
                subscribed++;
            }
        }
    }

    /** The REP side connects in its own time: the first round trip is tried again until {@code within}. */
    private void firstEcho(Duration within, BenchWorkerProcesses workers) {
        long end = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                reqRep();
                return;
            } catch (KvbmException e) {
                if (System.nanoTime() - end > 0) {
                    throw new KvbmException(e.code(), e.getMessage() + " (for " + within.toSeconds() + " s)"
                            + workers.exited(), e);
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }

    /** The round trips of one iteration (emptied before each), and their percentiles in microseconds. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class RoundTrips {
        final Samples transfer = new Samples();
        final Samples ping = new Samples();
        final Samples reqRep = new Samples();
        final Samples broadcast = new Samples();

        @Setup(Level.Iteration)
        public void clear() {
            transfer.clear();
            ping.clear();
            reqRep.clear();
            broadcast.clear();
        }

        public double transferP50Micros() {
            return transfer.percentileMicros(50);
        }

        public double transferP99Micros() {
            return transfer.percentileMicros(99);
        }

        public double pingP50Micros() {
            return ping.percentileMicros(50);
        }

        public double reqRepP50Micros() {
            return reqRep.percentileMicros(50);
        }

        public double broadcastP50Micros() {
            return broadcast.percentileMicros(50);
        }

        /** The platform's own tail: how far ZeroMQ between two processes spreads on this machine. */
        public double reqRepP99Micros() {
            return reqRep.percentileMicros(99);
        }
    }

    /** Round-trip times in nanoseconds. */
    static final class Samples {
        private long[] nanos = new long[4096];
        private int size;

        void add(long v) {
            if (size == nanos.length) {
                nanos = Arrays.copyOf(nanos, size * 2);
            }
            nanos[size++] = v;
        }

        void clear() {
            size = 0;
        }

        /** The nearest-rank percentile, NaN without samples. */
        double percentileMicros(double percentile) {
            if (size == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(nanos, size);
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(percentile / 100 * size);
            return sorted[Math.max(0, rank - 1)] / 1e3;
        }
    }
}
