package dev.kvbm.cli.internal;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.config.EnvironmentVariables;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.ProviderNames;
import dev.kvbm.api.spi.ReferenceCopy;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.replay.MooncakeTrace;
import dev.kvbm.core.replay.ReplayReport;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.replay.TraceRequest;
import dev.kvbm.core.replay.WorkloadGenerator;
import dev.kvbm.tier.cuda.CudaOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kvbm replay}: a request trace through real memory tiers, with per-tier hit rates and bandwidths. */
@Command(name = "replay", description = "Replay a request trace (Mooncake JSONL, or a generated multi-turn chat workload) "
        + "through real tiers.", customSynopsis = "kvbm replay [--trace FILE.jsonl] [--requests N] [--g1-blocks N] "
        + "[--g2-blocks N | --g2-gb X] [--g3-blocks N | --g3-gb X] [--block-bytes B | --layers L --outer O --page P "
        + "--inner I [--dtype-bytes D]] [--layout fc|ls-outer|ls-block] [--integrity off|sampled|always] "
        + "[--g1-device N | --workers N] [--seed S] [--tier-option KEY=VALUE]... [--json] [--no-progress]%n"
        + "       kvbm replay --engine llama.cpp|jlama [--model FILE] [--page P] [--trace-block-tokens T] [--threads N] "
        + "[--verify N] [--baseline-every K] [--trace FILE.jsonl] [--requests N] [tier options] [--json]",
        footer = {"environment (used when no option gives the value; a malformed value is an error naming it):",
            "  DYN_KVBM_CPU_CACHE_OVERRIDE_NUM_BLOCKS, DYN_KVBM_CPU_CACHE_GB   G2 blocks, or decimal GB",
            "  DYN_KVBM_DISK_CACHE_OVERRIDE_NUM_BLOCKS, DYN_KVBM_DISK_CACHE_GB G3 blocks, or decimal GB",
            "  DYN_KVBM_DISK_CACHE_DIR                                        where the G3 files go (default: the temp dir)",
            "  DYN_KVBM_DISABLE_DISK_OFFLOAD_FILTER                           true|false|1|0: every G2 block may reach G3",
            "  DYN_KVBM_TRANSFER_BATCH_SIZE                                   blocks per transfer batch, 1..1024 (16)"})
final class ReplayCommand extends Subcommand {
    static final int DEFAULT_BLOCK_BYTES = 256 * 1024;
    static final int DEFAULT_G1_BLOCKS = 2048;
    static final int DEFAULT_G2_BLOCKS = 16384;
    static final String CUDA_PROVIDER = ProviderNames.CUDA;
    static final String CUDA_DEVICE_OPTION = CudaOptions.DEVICE;

    /** G2 by count or by size. */
    static final class G2Size {
        @Range
        @Option(names = "--g2-blocks", paramLabel = "N", description = "G2 blocks (default: DYN_KVBM_CPU_CACHE_OVERRIDE_"
                + "NUM_BLOCKS or DYN_KVBM_CPU_CACHE_GB, else " + DEFAULT_G2_BLOCKS + "; 0 = no G2)")
        Integer blocks;
        @Option(names = "--g2-gb", paramLabel = "X", converter = OptionChecks.Gigabytes.class,
                description = "G2 size in decimal GB instead of blocks")
        Double gb;
    }

    /** G3 by count or by size. */
    static final class G3Size {
        @Range
        @Option(names = "--g3-blocks", paramLabel = "N", description = "G3 (disk) blocks (default: DYN_KVBM_DISK_CACHE_"
                + "OVERRIDE_NUM_BLOCKS or DYN_KVBM_DISK_CACHE_GB, else 0 = no G3); files go to DYN_KVBM_DISK_CACHE_DIR")
        Integer blocks;
        @Option(names = "--g3-gb", paramLabel = "X", converter = OptionChecks.Gigabytes.class,
                description = "G3 size in decimal GB instead of blocks")
        Double gb;
    }

    /** A model geometry, instead of a plain block size. */
    static final class Geometry {
        @Range(min = 1)
        @Option(names = "--layers", paramLabel = "L", description = "model geometry: layers")
        Integer layers;
        @Range(min = 1, max = 2)
        @Option(names = "--outer", paramLabel = "O", description = "model geometry: outer dimension (2 = K/V, 1 = MLA)")
        Integer outer;
        @Range(min = 1)
        @Option(names = "--page", paramLabel = "P", description = "model geometry: tokens per block")
        Integer page;
        @Range(min = 1)
        @Option(names = "--inner", paramLabel = "I", description = "model geometry: elements per token per outer per layer")
        Integer inner;
        @Range(min = 1)
        @Option(names = "--dtype-bytes", paramLabel = "D", description = "model geometry: bytes per element (default 2)")
        Integer dtypeBytes;
    }

    /** Bytes per block, or the geometry that gives them. */
    static final class BlockShape {
        @Range(min = 2)
        @Option(names = "--block-bytes", paramLabel = "B", description = "bytes per block, even (default "
                + DEFAULT_BLOCK_BYTES + " = 256 KiB), instead of a geometry")
        Integer blockBytes;
        @ArgGroup(exclusive = false)
        Geometry geometry;
    }

    /** Where G1 lives: on a GPU of this process, or in worker processes. */
    static final class Placement {
        @Range(max = 1023)
        @Option(names = "--g1-device", paramLabel = "N", description = "G1 in GPU memory on CUDA device N (kvbm-device-"
                + "cuda); without a usable GPU, G1 stays in host memory and one line on stderr says why (default: host G1)")
        Integer g1Device;
        @Range(max = 64)
        @Option(names = "--workers", paramLabel = "N", description = "replay through a leader and N (0..64; 0 = none) kvbm worker "
                + "processes on loopback (ZeroMQ)")
        Integer workers;
    }

    @Option(names = "--trace", paramLabel = "FILE.jsonl", description = "Mooncake-format trace; default: a generated "
            + "multi-turn workload")
    String trace;
    @Range(min = 1)
    @Option(names = "--requests", paramLabel = "N", description = "replay only the first N requests (default: all)")
    Integer requests;
    @Range(min = 1)
    @Option(names = "--g1-blocks", paramLabel = "N", description = "G1 blocks (default " + DEFAULT_G1_BLOCKS
            + ", at least the longest request)")
    Integer g1Blocks;
    @ArgGroup(exclusive = true)
    G2Size g2 = new G2Size();
    @ArgGroup(exclusive = true)
    G3Size g3 = new G3Size();
    @ArgGroup(exclusive = true)
    BlockShape shape = new BlockShape();
    @Option(names = "--layout", paramLabel = "fc|ls-outer|ls-block", defaultValue = "fc",
            description = "G1 layout (lower tiers are fc)")
    String layout;
    @Option(names = "--integrity", paramLabel = "off|sampled|always", defaultValue = "sampled",
            description = "checksum checks on onboarding")
    String integrity;
    @ArgGroup(exclusive = true)
    Placement placement = new Placement();
    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "seed of the generated workload")
    long seed;
    @Option(names = "--json", arity = "0", description = "print one JSON object on one line")
    boolean json;
    @Option(names = "--engine", paramLabel = "llama.cpp|jlama|none", defaultValue = "none",
            description = "replay through a real engine on kvbm (prefill with reuse, recompute beside it) or move "
                    + "synthetic bytes (none)")
    String engine;
    @Option(names = "--model", paramLabel = "FILE", description = "with --engine: the model (a GGUF file for llama.cpp, "
            + "a model folder for jlama); default: the RANDOM tiny model (kvbm model), written once into the temp dir")
    String model;
    @Range(min = 1, max = 65_536)
    @Option(names = "--trace-block-tokens", paramLabel = "T", description = "with --engine: tokens each trace block id "
            + "stands for, 1..65536 (default: --page; the Mooncake traces use 512)")
    Integer traceBlockTokens;
    @Range(min = 1, max = 1024)
    @Option(names = "--threads", paramLabel = "N", defaultValue = "1", description = "with --engine: the engine's "
            + "compute threads, 1..1024 (1 keeps llama.cpp deterministic)")
    int threads;
    @Range
    @Option(names = "--verify", paramLabel = "N", defaultValue = "4", description = "with --engine: compare the logits "
            + "of N requests with reuse against a full recompute, bit for bit")
    int verify;
    @Range
    @Option(names = "--baseline-every", paramLabel = "K", defaultValue = "1", description = "with --engine: recompute "
            + "every K-th request from scratch for the time-to-first-token comparison (0: none)")
    int baselineEvery;
    @Mixin
    ServiceOptions.G4 g4 = new ServiceOptions.G4();
    @Mixin
    ServiceOptions.Events events = new ServiceOptions.Events();
    @Mixin
    ServiceOptions.Metrics metrics = new ServiceOptions.Metrics();
    @Range(max = 86_400)
    @Option(names = "--serve-after", paramLabel = "SECONDS", description = "keep the metrics and event endpoints up "
            + "this long after the report, 0..86400")
    Integer serveAfter;
    @Option(names = "--no-progress", arity = "0", description = "no progress bar even on a terminal")
    boolean noProgress;
    @Option(names = "--tier-option", paramLabel = "KEY=VALUE", description = "an option of a tier, engine or transport "
            + "(kvbm.*, zmq.*, DYN_KVBM_*), as -DKEY=VALUE in KVBM_JAVA_OPTS would set it; repeatable")
    Map<String, String> tierOptions;

    /** The option or variable G3's size came from, once known: a G3 error names what the user set. */
    String g3Source = "--g3-blocks|--g3-gb";

    @Override
    public Map<String, String> fieldOptions() {
        return Map.ofEntries(Map.entry("numLayers", "--layers"), Map.entry("outerDim", "--outer"),
                Map.entry("pageSize", "--page"), Map.entry("innerDim", "--inner"),
                Map.entry("dtypeWidthBytes", "--dtype-bytes"), Map.entry("layoutType", "--layout"),
                Map.entry("integrity", "--integrity"), Map.entry("g1Blocks", "--g1-blocks"),
                Map.entry("g3Blocks", g3Source), Map.entry("trace", "--trace"),
                Map.entry(CUDA_DEVICE_OPTION, "--g1-device"));
    }

    @Override
    public Integer call() {
        // G1/G2 on the host tier (unless G1 goes to a GPU) and the memcpy reference every replay reports.
        OptionalModules.require(OptionalModules.HOST);
        if (!"none".equals(engine)) {
            return EngineReplay.run(this);
        }
        if (model != null || traceBlockTokens != null) {
            throw new UsageException("--model and --trace-block-tokens need --engine llama.cpp|jlama");
        }
        // Every option and variable is checked before a byte is allocated.
        Map<String, String> tierOptions = TierOptions.apply(this.tierOptions);
        EnvironmentVariables env = EnvironmentVariables.system();
        LayoutConfig geometry = geometry();
        long blockBytes = geometry.blockDataBytes();
        int limit = requests == null ? 0 : requests;
        IntegrityMode integrityMode = IntegrityMode.parse(integrity);
        LayoutType g1Layout = LayoutType.parse(layout);
        int workers = placement.workers == null ? 0 : placement.workers;
        Integer device = placement.g1Device;
        ReplayPreflight.checkManagerVariables(env);
        int g2Blocks = ReplayPreflight.tierBlocks(g2.blocks, "--g2-blocks", g2.gb, "--g2-gb", env,
                ConfigKeys.CPU_CACHE_OVERRIDE_NUM_BLOCKS, ConfigKeys.CPU_CACHE_GB, DEFAULT_G2_BLOCKS, blockBytes);
        ReplayPreflight.TierSize g3Size = ReplayPreflight.tierSize(g3.blocks, "--g3-blocks", g3.gb, "--g3-gb", env,
                ConfigKeys.DISK_CACHE_OVERRIDE_NUM_BLOCKS, ConfigKeys.DISK_CACHE_GB, 0, blockBytes);
        if (g3Size.source() != null) {
            g3Source = g3Size.source();
        }
        int g3Blocks = g3Size.blocks();
        String source;
        List<TraceRequest> requestsToReplay;
        if (trace != null) {
            requestsToReplay = readTrace(trace, limit);
            source = trace;
        } else {
            requestsToReplay = WorkloadGenerator.generate(WorkloadGenerator.DEFAULT, seed, 512);
            if (limit > 0 && limit < requestsToReplay.size()) {
                requestsToReplay = requestsToReplay.subList(0, limit);
            }
            source = "generated multi-turn workload (seed " + seed + ")";
        }
        int longest = Replayer.longestRequest(requestsToReplay);
        int g1 = g1Blocks != null ? g1Blocks : Math.max(DEFAULT_G1_BLOCKS, longest);
        Replayer.checkG1(requestsToReplay, g1);
        if (g3Blocks > 0) {
            OptionalModules.require(OptionalModules.DISK, "--g3-blocks/--g3-gb");
        }
        if (workers > 0) {
            OptionalModules.require(OptionalModules.ZMQ, "--workers");
        }
        ReplayPreflight.checkDisk(g3Size, blockBytes, env);
        ReplayServices services = ReplayServices.check(this, env);

        KvBlockManager.Builder builder = KvBlockManager.builder().geometry(geometry).integrity(integrityMode)
                .tierBlocks(Tier.G1, g1).tierBlocks(Tier.G2, g2Blocks).tierBlocks(Tier.G3, g3Blocks)
                .layoutType(Tier.G1, g1Layout);
        if (workers > 0) {
            LocalWorkers.shardInner(geometry.innerDim(), workers, 0); // each worker holds a shard of every block
            ReplayPreflight.checkMemory(g1, g2Blocks, blockBytes);
            // The leader keeps logical blocks (it publishes the events, G4 goes through the workers); each worker
            // process holds its shard of the bytes.
            try (services;
                 LocalWorkers cluster = LocalWorkers.start(workers, geometry.withNumBlocks(g1), g1Layout, g2Blocks,
                         g3Blocks, tierOptions, services.g4Uri());
                 KvBlockManager manager = cluster.manager(g1, g2Blocks, g3Blocks, b -> services.attach(b,
                         ProviderRegistry.load(Set.of(CUDA_PROVIDER)), LocalWorkers.MODEL_IDENTITY))) {
                services.serve(manager, err);
                report(manager, requestsToReplay, blockBytes, source + ", " + workers + " worker process(es)", services);
                services.serveAfter(err);
                return WorkerLoss.exitStatus(cluster, manager, err);
            }
        }
        boolean g1OnDevice = selectG1(device, builder, err);
        ReplayPreflight.checkMemory(g1OnDevice ? 0 : g1, g2Blocks, blockBytes); // a device G1 takes no host memory
        try (services) {
            services.attach(builder, ProviderRegistry.load(Set.of(CUDA_PROVIDER)), "kvbm-replay");
            try (KvBlockManager manager = builder.build()) {
                services.serve(manager, err);
                report(manager, requestsToReplay, blockBytes, source, services);
                services.serveAfter(err);
            }
        }
        return Cli.OK;
    }

    private void report(KvBlockManager manager, List<TraceRequest> requests, long blockBytes, String source,
                        ReplayServices services) {
        ReplayReport report = Replayer.run(manager, requests, ProgressBar.of(!json && !noProgress, requests.size(), err));
        ReferenceCopy reference = reference(blockBytes);
        if (services != null) {
            services.flushEvents();
        }
        if (json) {
            ReplayJsonReport.print(report, manager, blockBytes, reference, g -> {
                if (services != null) {
                    services.writeJson(g);
                }
            }, out);
        } else {
            ReplayTextReport.print(report, manager, source, blockBytes, reference, out);
            if (services != null) {
                services.printText(out);
            }
        }
    }

    /**
     * The trace named by {@code --trace}: a missing file, a directory, an empty name, an unreadable file, a
     * non-UTF-8 or overlong line each get one line naming the file (and line), exit 2.
     */
    static List<TraceRequest> readTrace(String name, int limit) {
        if (name.isBlank()) {
            throw new UsageException("--trace must name a trace file (got an empty name)");
        }
        Path file = Path.of(name);
        if (Files.isRegularFile(file) && !Files.isReadable(file)) {
            throw new UsageException("--trace: cannot read " + file + " (permission denied)");
        }
        return MooncakeTrace.read(file, limit);
    }

    /**
     * {@code --g1-device N} ({@code device}, null without the option): G1 on the {@code cuda} tier provider,
     * device N, when it is usable here; otherwise (and without the option) G1 on the host tiers, the {@code cuda}
     * providers left out so they are never probed. The fallback prints one line on {@code err} saying why. Returns
     * whether G1 goes to the device.
     */
    static boolean selectG1(Integer device, KvBlockManager.Builder builder, PrintStream err) {
        if (device == null) {
            builder.providers(ProviderRegistry.load(Set.of(CUDA_PROVIDER)));
            return false;
        }
        ProviderRegistry registry = ProviderRegistry.load();
        try {
            registry.tier(CUDA_PROVIDER);
        } catch (KvbmException e) {
            err.println("kvbm replay: --g1-device " + device + ": G1 stays in host memory: " + e.getMessage());
            builder.providers(ProviderRegistry.load(Set.of(CUDA_PROVIDER)));
            return false;
        }
        builder.providers(registry).tierProvider(Tier.G1, CUDA_PROVIDER)
                .options(Map.of(CUDA_DEVICE_OPTION, Integer.toString(device)));
        return true;
    }

    /**
     * libc memcpy (and the memcpy engine) over blocks of the replay's size, measured in the same run: the
     * physical reference the replay's host copy GB/s is read against. The buffers span at least 256 MiB
     * per side, like the tiers, so neither figure is flattered by the CPU caches.
     */
    static ReferenceCopy reference(long blockBytes) {
        int blocks = (int) Math.max(16, Math.min(4096, (256L << 20) / blockBytes));
        return ProviderRegistry.load(Set.of(CUDA_PROVIDER)).engine(ProviderNames.MEMCPY)
                .measureReference(blockBytes, blocks, 3).orElseThrow();
    }

    private LayoutConfig geometry() {
        Geometry g = shape.geometry;
        if (g != null && (g.layers != null || g.outer != null || g.page != null || g.inner != null)) {
            return new LayoutConfig(1, OptionChecks.required("--layers", g.layers),
                    OptionChecks.required("--outer", g.outer), OptionChecks.required("--page", g.page),
                    OptionChecks.required("--inner", g.inner), LayoutConfig.DEFAULT_ALIGNMENT,
                    g.dtypeBytes == null ? LayoutConfig.DEFAULT_DTYPE_WIDTH_BYTES : g.dtypeBytes);
        }
        int bytes = shape.blockBytes == null ? DEFAULT_BLOCK_BYTES : shape.blockBytes;
        if (bytes % 2 != 0) {
            throw new UsageException("--block-bytes must be even (blocks are 2-byte elements) (got " + bytes + ")");
        }
        // One layer, one outer component, one token of bytes/2 two-byte elements: only the size matters here.
        return new LayoutConfig(1, 1, 1, 1, bytes / 2, LayoutConfig.DEFAULT_ALIGNMENT, 2);
    }
}
