package dev.kvbm.bench.internal;

import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.core.cluster.Worker;
import dev.kvbm.core.cluster.WorkerSpec;
import dev.kvbm.core.providers.ProviderRegistry;
import java.time.Duration;
import java.util.Map;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The worker process of the ZeroMQ benchmark ({@link BenchWorkerProcesses} starts it): a real {@link Worker}
 * connected to the benchmark's leader; a raw JeroMQ SUB socket whose messages it answers with their first frame on
 * a PUSH socket (the leader's broadcast and its answers done with bare JeroMQ, between the same processes); and,
 * when given a REQ endpoint, a raw JeroMQ REP socket that echoes each request, the reference round trip between
 * two processes. It exits when its parent process does.
 *
 * <p>Arguments: {@code PUB_ENDPOINT ACK_ENDPOINT G1_BLOCKS RAW_PUB_ENDPOINT RAW_PULL_ENDPOINT [REQ_ENDPOINT]}.
 */
public final class BenchWorkerMain {
    /** G1 of each worker: 4 layers x 2 x 16 tokens x 128 x 2 bytes = 32 KiB per block. */
    public static LayoutConfig g1(int blocks) {
        return new LayoutConfig(blocks, 4, 2, 16, 128, 1, 2);
    }

    private BenchWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: BenchWorkerMain PUB_ENDPOINT ACK_ENDPOINT G1_BLOCKS RAW_PUB_ENDPOINT "
                    + "RAW_PULL_ENDPOINT [REQ_ENDPOINT]");
            System.exit(2);
        }
        ProcessHandle.current().parent().ifPresentOrElse(p -> p.onExit().thenRun(() -> System.exit(0)),
                () -> System.exit(0));
        Duration init = Duration.ofSeconds(60);
        try (Worker worker = Worker.start(new TransportConfig(args[0], args[1], 1, init, Map.of()),
                new WorkerSpec(g1(Integer.parseInt(args[2])), LayoutType.FULLY_CONTIGUOUS,
                        Map.of("kvbm.host.mlock", "false"), Duration.ofSeconds(10)), ProviderRegistry.load());
             ZContext context = new ZContext(1)) {
            Thread.ofPlatform().daemon().name("bench-raw-broadcast").start(() -> answerBroadcasts(context, args[3], args[4]));
            if (args.length > 5) {
                echo(context, args[5]); // until the parent goes
            } else {
                new java.util.concurrent.CountDownLatch(1).await();
            }
        }
    }

    /** Answers every message on a raw SUB socket with its first frame, on a PUSH socket: as a worker answers a ping. */
    private static void answerBroadcasts(ZContext context, String pubEndpoint, String pullEndpoint) {
        ZMQ.Socket sub = context.createSocket(SocketType.SUB);
        ZMQ.Socket push = context.createSocket(SocketType.PUSH);
        sub.setLinger(0);
        push.setLinger(0);
        sub.subscribe(new byte[0]);
        sub.connect(pubEndpoint);
        push.connect(pullEndpoint);
        while (!Thread.currentThread().isInterrupted()) {
            byte[] id = sub.recv(0);
            while (sub.hasReceiveMore()) {
                sub.recv(0);
            }
            if (id != null) {
                push.send(id, 0);
            }
        }
    }

    /** Echoes every request on a REP socket connected to the benchmark's REQ. */
    private static void echo(ZContext context, String reqEndpoint) {
        ZMQ.Socket rep = context.createSocket(SocketType.REP);
        rep.setLinger(0);
        rep.connect(reqEndpoint);
        while (!Thread.currentThread().isInterrupted()) {
            byte[] request = rep.recv(0);
            if (request != null) {
                rep.send(request, 0);
            }
        }
    }
}
