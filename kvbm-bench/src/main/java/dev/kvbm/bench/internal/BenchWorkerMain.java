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
 * connected to the benchmark's leader, and, when given a REQ endpoint, a raw JeroMQ REP socket that echoes each
 * request, the reference round trip between the same two processes. It exits when its parent process does.
 *
 * <p>Arguments: {@code PUB_ENDPOINT ACK_ENDPOINT G1_BLOCKS [REQ_ENDPOINT]}.
 */
public final class BenchWorkerMain {
    /** G1 of each worker: 4 layers x 2 x 16 tokens x 128 x 2 bytes = 32 KiB per block. */
    public static LayoutConfig g1(int blocks) {
        return new LayoutConfig(blocks, 4, 2, 16, 128, 1, 2);
    }

    private BenchWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: BenchWorkerMain PUB_ENDPOINT ACK_ENDPOINT G1_BLOCKS [REQ_ENDPOINT]");
            System.exit(2);
        }
        ProcessHandle.current().parent().ifPresentOrElse(p -> p.onExit().thenRun(() -> System.exit(0)),
                () -> System.exit(0));
        Duration init = Duration.ofSeconds(60);
        try (Worker worker = Worker.start(new TransportConfig(args[0], args[1], 1, init, Map.of()),
                new WorkerSpec(g1(Integer.parseInt(args[2])), LayoutType.FULLY_CONTIGUOUS,
                        Map.of("kvbm.host.mlock", "false"), Duration.ofSeconds(10)), ProviderRegistry.load());
             ZContext context = new ZContext(1)) {
            if (args.length > 3) {
                echo(context, args[3]); // until the parent goes
            } else {
                new java.util.concurrent.CountDownLatch(1).await();
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
