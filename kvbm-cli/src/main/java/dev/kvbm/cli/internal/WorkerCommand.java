package dev.kvbm.cli.internal;

import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.config.EnvironmentVariables;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.core.cluster.Worker;
import dev.kvbm.core.cluster.WorkerSpec;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.remote.RemoteTierConfig;
import dev.kvbm.transport.zmq.ZmqOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kvbm worker}: one worker process of a distributed leader (G1 on the host when there is no GPU). */
@Command(name = "worker", description = "Run a worker: own G1/G2/G3 bytes and copy what a leader asks over ZeroMQ.",
        customSynopsis = "kvbm worker [--leader-pub URL] [--leader-ack URL] [--dp-rank R] --device-blocks N --layers L "
                + "--outer O --page P --inner I [--dtype-bytes D] [--layout fc|ls-outer|ls-block] [--rank R "
                + "[--shared-dir DIR]] [--g4 URI [--shard-index S] [--model-identity ID]] [--metrics-port P] "
                + "[--curve-server-key FILE] [--parent-pid PID]",
        footer = {"environment (a malformed value is an error naming it):",
            "  DYN_KVBM_LEADER_ZMQ_HOST, _PUB_PORT, _ACK_PORT   the leader's endpoints (127.0.0.1, 56001, 56002)",
            "  DYN_KVBM_DISK_CACHE_DIR                          where this worker's G3 files go",
            "  DYN_KVBM_METRICS=true, DYN_KVBM_METRICS_PORT     metrics without --metrics-port (port 6880)"})
final class WorkerCommand extends Subcommand {
    @Option(names = "--leader-pub", paramLabel = "URL", description = "leader PUB endpoint (default from "
            + "DYN_KVBM_LEADER_ZMQ_HOST/_PUB_PORT, tcp://127.0.0.1:56001)")
    String leaderPub;
    @Option(names = "--leader-ack", paramLabel = "URL", description = "leader PULL endpoint (default from "
            + "DYN_KVBM_LEADER_ZMQ_HOST/_ACK_PORT, tcp://127.0.0.1:56002)")
    String leaderAck;
    @Option(names = "--rank", paramLabel = "R", description = "replicated mode (0..65535): every rank holds the same KV, "
            + "only rank 0 allocates G2/G3 and the others onboard from its G2 through shared host memory (default: sharded)")
    Integer rank;
    @Option(names = "--shared-dir", paramLabel = "DIR", description = "where rank 0 shares its G2 in replicated mode "
            + "(default /dev/shm)")
    String sharedDir;
    @Option(names = "--dp-rank", paramLabel = "R", defaultValue = "0", description = "data-parallel rank: default leader "
            + "ports + 2 * R")
    int dpRank;
    @Range(min = 1)
    @Option(names = "--device-blocks", paramLabel = "N", description = "G1 blocks of this worker (required)")
    Integer deviceBlocks;
    @Option(names = "--layout", paramLabel = "fc|ls-outer|ls-block", defaultValue = "fc", description = "G1 layout")
    String layout;
    @Option(names = "--layers", paramLabel = "L", description = "layers of this worker's shard (required)")
    Integer layers;
    @Option(names = "--outer", paramLabel = "O", description = "outer dimension (2 = K/V, 1 = MLA; required)")
    Integer outer;
    @Option(names = "--page", paramLabel = "P", description = "tokens per block (required)")
    Integer page;
    @Option(names = "--inner", paramLabel = "I", description = "elements per token per outer per layer (this worker's "
            + "shard; required)")
    Integer inner;
    @Option(names = "--dtype-bytes", paramLabel = "D", defaultValue = "2", description = "bytes per element (1..8)")
    int dtypeBytes;
    @Option(names = "--curve-server-key", paramLabel = "FILE", description = "the leader's public CURVE certificate: "
            + "encrypt")
    String curveServerKey;
    @Option(names = "--shard-index", paramLabel = "S", defaultValue = "0", description = "this worker's shard among "
            + "the leader's workers (its tensor-parallel rank), 0..65535: names its G4 keys, so give each sharded worker "
            + "its own with --g4")
    int shardIndex;
    @Option(names = "--model-identity", paramLabel = "ID", defaultValue = "kvbm", description = "with --g4: what makes "
            + "KV compatible beyond the geometry (model, revision, salt); only equal identities share G4 blocks")
    String modelIdentity;
    @Mixin
    ServiceOptions.G4 g4 = new ServiceOptions.G4();
    @Mixin
    ServiceOptions.Metrics metrics = new ServiceOptions.Metrics();
    @Option(names = "--parent-pid", paramLabel = "PID", description = "exit when this process exits (set by kvbm replay "
            + "--workers)")
    Integer parentPid;

    @Override
    public Map<String, String> fieldOptions() {
        return Map.ofEntries(Map.entry("numLayers", "--layers"), Map.entry("outerDim", "--outer"),
                Map.entry("pageSize", "--page"), Map.entry("innerDim", "--inner"),
                Map.entry("dtypeWidthBytes", "--dtype-bytes"), Map.entry("layoutType", "--layout"),
                Map.entry("numBlocks", "--device-blocks"));
    }

    @Override
    public Integer call() {
        OptionalModules.require(OptionalModules.ZMQ);
        // Every option and variable is checked before anything is allocated or connected.
        if (sharedDir != null && rank == null) {
            throw new UsageException("--shared-dir needs --rank (replicated mode)");
        }
        EnvironmentVariables env = EnvironmentVariables.system();
        env.port(ConfigKeys.LEADER_ZMQ_PUB_PORT);
        env.port(ConfigKeys.LEADER_ZMQ_ACK_PORT);
        ZmqOptions.Endpoints defaults = ZmqOptions.endpoints(System.getenv(), OptionChecks.range("--dp-rank", dpRank, 0,
                32767));
        String pub = OptionChecks.endpoint(leaderPub != null ? "--leader-pub" : "DYN_KVBM_LEADER_ZMQ_HOST/_PUB_PORT",
                leaderPub != null ? leaderPub : defaults.publish(), false);
        String ack = OptionChecks.endpoint(leaderAck != null ? "--leader-ack" : "DYN_KVBM_LEADER_ZMQ_HOST/_ACK_PORT",
                leaderAck != null ? leaderAck : defaults.ack(), false);
        LayoutConfig g1 = new LayoutConfig(OptionChecks.required("--device-blocks", deviceBlocks, 1, Integer.MAX_VALUE),
                OptionChecks.required("--layers", layers, 1, Integer.MAX_VALUE), OptionChecks.required("--outer", outer, 1, 2),
                pageSize(OptionChecks.required("--page", page, 1, 1024)),
                OptionChecks.required("--inner", inner, 1, Integer.MAX_VALUE), LayoutConfig.DEFAULT_ALIGNMENT,
                OptionChecks.range("--dtype-bytes", dtypeBytes, 1, 8));
        LayoutType g1Layout = LayoutType.parse(layout);
        int parent = parentPid == null ? 0 : OptionChecks.range("--parent-pid", parentPid, 1, Integer.MAX_VALUE);
        if (parent > 0 && ProcessHandle.of(parent).isEmpty()) {
            // Exiting 0 at once would look like a clean run; a parent that is already gone is a usage error.
            throw new UsageException("--parent-pid " + parent + ": no such process");
        }
        Map<String, String> options = new HashMap<>();
        if (curveServerKey != null) {
            options.put(ZmqOptions.CURVE_SERVER_PUBLIC_FILE, curveServerKey);
        }
        TransportConfig config = new TransportConfig(pub, ack, 1, Duration.ofSeconds(120), options);
        WorkerSpec spec = new WorkerSpec(g1, g1Layout);
        if (rank != null) {
            Path dir = sharedDir != null ? Path.of(sharedDir) : WorkerSpec.defaultSharedDir();
            if (!Files.isDirectory(dir)) {
                throw new UsageException("--shared-dir must be a directory (got " + dir + ")");
            }
            spec = spec.replicated(OptionChecks.range("--rank", rank, 0, 65535), dir);
        }
        int shard = OptionChecks.range("--shard-index", shardIndex, 0, 65535);
        ReplayServices services = ReplayServices.check("kvbm worker", g4, null, metrics, null, env);
        // G2/G3 come with the leader's metadata: a failure to allocate them goes back to the leader in the handshake.
        int g4Rank = spec.rank().isPresent() ? 0 : shard; // replicated ranks hold the same KV: one key per block
        Optional<RemoteTierConfig> remote = services.g4(modelIdentity).map(c -> c.withRank(g4Rank));
        Worker worker = remote.isPresent() ? Worker.start(config, spec, ProviderRegistry.load(), remote.get())
                : Worker.start(config, spec, ProviderRegistry.load());
        services.serve(worker, err);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            services.close();
            worker.close();
            stop.countDown();
        }));
        if (parent > 0) {
            ProcessHandle.of(parent).ifPresentOrElse(h -> h.onExit().thenRun(() -> System.exit(0)), () -> System.exit(0));
        }
        out.printf("worker: G1 %,d blocks of %,d bytes (%s), %s, waiting for the leader on %s and %s%n", g1.numBlocks(),
                g1.blockDataBytes(), g1Layout.shortName(), spec.rank().isPresent() ? "replicated rank "
                        + spec.rank().getAsInt() : "sharded", pub, ack);
        out.flush();
        Thread.ofVirtual().name("kvbm-worker-ready").start(() -> announceReady(worker));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Cli.OK;
    }

    /** Dynamo's rule for a block's tokens: a power of two, 1..1024. */
    /** One line once the handshake completed (G2/G3 allocated, transfers served), and one per new allocation error. */
    private void announceReady(Worker worker) {
        String lastError = null;
        try {
            while (!worker.isReady()) {
                String error = worker.allocationError();
                if (error != null && !error.equals(lastError)) {
                    out.println("worker: the leader's allocation failed here: " + error);
                    out.flush();
                    lastError = error;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            return;
        }
        out.println("worker: handshake with the leader done; G2/G3 allocated (" + worker.tiers().stream().sorted()
                .map(Enum::name).collect(java.util.stream.Collectors.joining(", ")) + "), serving transfers");
        out.flush();
    }

    static int pageSize(int page) {
        if (Integer.bitCount(page) != 1) {
            throw new UsageException("--page must be a power of two in 1..1024 (got " + page + ")");
        }
        return page;
    }
}
