package dev.kvbm.cli.internal;

import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.core.cluster.Worker;
import dev.kvbm.core.cluster.WorkerSpec;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.transport.zmq.ZmqOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code kvbm worker}: one worker process of a distributed leader (G1 on the host when there is no GPU). */
final class WorkerCommand implements Command {

    @Override
    public String name() {
        return "worker";
    }

    @Override
    public String summary() {
        return "Run a worker: own G1/G2/G3 bytes and copy what a leader asks over ZeroMQ.";
    }

    @Override
    public String usage() {
        return "[--leader-pub URL] [--leader-ack URL] [--dp-rank R] --device-blocks N --layers L --outer O --page P --inner I "
                + "[--dtype-bytes D] [--layout fc|ls-outer|ls-block] [--rank R [--shared-dir DIR]] [--curve-server-key FILE] [--parent-pid PID]";
    }

    @Override
    public List<Args.Spec> options() {
        return List.of(
                Args.Spec.value("--leader-pub", "URL", "leader PUB endpoint (default from DYN_KVBM_LEADER_ZMQ_HOST/_PUB_PORT, tcp://127.0.0.1:56001)"),
                Args.Spec.value("--leader-ack", "URL", "leader PULL endpoint (default from DYN_KVBM_LEADER_ZMQ_HOST/_ACK_PORT, tcp://127.0.0.1:56002)"),
                Args.Spec.value("--rank", "R", "replicated mode: every rank holds the same KV, only rank 0 allocates G2/G3 "
                        + "and the others onboard from its G2 through shared host memory (default: sharded)"),
                Args.Spec.value("--shared-dir", "DIR", "where rank 0 shares its G2 in replicated mode (default /dev/shm)"),
                Args.Spec.value("--dp-rank", "R", "data-parallel rank: default leader ports + 2 * R (default 0)"),
                Args.Spec.value("--device-blocks", "N", "G1 blocks of this worker"),
                Args.Spec.value("--layout", "fc|ls-outer|ls-block", "G1 layout (default fc)"),
                Args.Spec.value("--layers", "L", "layers of this worker's shard"),
                Args.Spec.value("--outer", "O", "outer dimension (2 = K/V, 1 = MLA)"),
                Args.Spec.value("--page", "P", "tokens per block"),
                Args.Spec.value("--inner", "I", "elements per token per outer per layer (this worker's shard)"),
                Args.Spec.value("--dtype-bytes", "D", "bytes per element (default 2)"),
                Args.Spec.value("--curve-server-key", "FILE", "the leader's public CURVE certificate: encrypt"),
                Args.Spec.value("--parent-pid", "PID", "exit when this process exits (set by kvbm replay --workers)"));
    }

    @Override
    public Map<String, String> fieldOptions() {
        return Map.ofEntries(Map.entry("numLayers", "--layers"), Map.entry("outerDim", "--outer"),
                Map.entry("pageSize", "--page"), Map.entry("innerDim", "--inner"),
                Map.entry("dtypeWidthBytes", "--dtype-bytes"), Map.entry("layoutType", "--layout"),
                Map.entry("numBlocks", "--device-blocks"));
    }

    @Override
    public int run(Args args, PrintStream out) {
        if (args.string("--shared-dir").isPresent() && args.string("--rank").isEmpty()) {
            throw new UsageException("--shared-dir needs --rank (replicated mode)");
        }
        ZmqOptions.Endpoints defaults = ZmqOptions.endpoints(System.getenv(), args.integer("--dp-rank", 0, 0, 32767));
        String pub = args.string("--leader-pub").orElse(defaults.publish());
        String ack = args.string("--leader-ack").orElse(defaults.ack());
        LayoutConfig g1 = new LayoutConfig(args.integer("--device-blocks", null, 1, Integer.MAX_VALUE),
                args.integer("--layers", null, 1, Integer.MAX_VALUE), args.integer("--outer", null, 1, 2),
                args.integer("--page", null, 1, Integer.MAX_VALUE), args.integer("--inner", null, 1, Integer.MAX_VALUE),
                LayoutConfig.DEFAULT_ALIGNMENT, args.integer("--dtype-bytes", LayoutConfig.DEFAULT_DTYPE_WIDTH_BYTES, 1, 8));
        LayoutType layout = args.string("--layout").map(LayoutType::parse).orElse(LayoutType.FULLY_CONTIGUOUS);
        Map<String, String> options = new HashMap<>();
        args.string("--curve-server-key").ifPresent(f -> options.put(ZmqOptions.CURVE_SERVER_PUBLIC_FILE, f));
        TransportConfig config = new TransportConfig(pub, ack, 1, Duration.ofSeconds(120), options);
        WorkerSpec spec = new WorkerSpec(g1, layout);
        if (args.string("--rank").isPresent()) {
            Path dir = args.string("--shared-dir").map(Path::of).orElse(WorkerSpec.defaultSharedDir());
            if (!Files.isDirectory(dir)) {
                throw new UsageException("--shared-dir must be a directory (got " + dir + ")");
            }
            spec = spec.replicated(args.integer("--rank", null, 0, 65535), dir);
        }
        Worker worker = Worker.start(config, spec, ProviderRegistry.load());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stop.countDown();
        }));
        args.string("--parent-pid").ifPresent(p -> ProcessHandle.of(Args.parseInt("--parent-pid", p, 1, Integer.MAX_VALUE))
                .ifPresentOrElse(h -> h.onExit().thenRun(() -> System.exit(0)), () -> System.exit(0)));
        out.printf("worker: G1 %,d blocks of %,d bytes (%s), %s, connected to %s and %s%n", g1.numBlocks(),
                g1.blockDataBytes(), layout.shortName(), spec.rank().isPresent() ? "replicated rank " + spec.rank().getAsInt()
                        : "sharded", pub, ack);
        out.flush();
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Cli.OK;
    }
}
