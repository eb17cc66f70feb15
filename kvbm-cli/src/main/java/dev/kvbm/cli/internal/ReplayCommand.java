package dev.kvbm.cli.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.manager.TierRuntime;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.replay.MooncakeTrace;
import dev.kvbm.core.replay.ReplayReport;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.replay.TraceRequest;
import dev.kvbm.core.replay.WorkloadGenerator;
import dev.kvbm.tier.cuda.CudaOptions;
import dev.kvbm.tier.host.HostCopyProbe;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.IntConsumer;

/** {@code kvbm replay}: a request trace through real memory tiers, with per-tier hit rates and bandwidths. */
final class ReplayCommand implements Command {
    static final int DEFAULT_BLOCK_BYTES = 256 * 1024;
    static final int DEFAULT_G1_BLOCKS = 2048;
    static final int DEFAULT_G2_BLOCKS = 16384;
    static final long DEFAULT_SEED = 1;
    static final String CUDA_PROVIDER = CudaOptions.PROVIDER;
    static final String CUDA_DEVICE_OPTION = CudaOptions.DEVICE;

    @Override
    public String name() {
        return "replay";
    }

    @Override
    public String summary() {
        return "Replay a request trace (Mooncake JSONL, or a generated multi-turn chat workload) through real tiers.";
    }

    @Override
    public String usage() {
        return "[--trace FILE.jsonl] [--requests N] [--g1-blocks N] [--g2-blocks N | --g2-gb X] [--g3-blocks N | --g3-gb X] "
                + "[--block-bytes B | --layers L --outer O --page P --inner I --dtype-bytes D] [--layout fc|ls-outer|ls-block] "
                + "[--integrity off|sampled|always] [--g1-device N] [--seed S] [--workers N] [--json] [--no-progress]";
    }

    @Override
    public List<Args.Spec> options() {
        return List.of(
                Args.Spec.value("--trace", "FILE.jsonl", "Mooncake-format trace; default: a generated multi-turn workload"),
                Args.Spec.value("--requests", "N", "replay only the first N requests"),
                Args.Spec.value("--g1-blocks", "N", "G1 blocks (default " + DEFAULT_G1_BLOCKS + ", at least the longest request)"),
                Args.Spec.value("--g2-blocks", "N", "G2 blocks (default " + DEFAULT_G2_BLOCKS + "; 0 = no G2)"),
                Args.Spec.value("--g2-gb", "X", "G2 size in decimal GB instead of blocks"),
                Args.Spec.value("--g3-blocks", "N", "G3 (disk) blocks (default: DYN_KVBM_DISK_CACHE_OVERRIDE_NUM_BLOCKS or "
                        + "DYN_KVBM_DISK_CACHE_GB, else 0 = no G3); files go to DYN_KVBM_DISK_CACHE_DIR"),
                Args.Spec.value("--g3-gb", "X", "G3 size in decimal GB instead of blocks"),
                Args.Spec.value("--block-bytes", "B", "bytes per block (default " + DEFAULT_BLOCK_BYTES + "), instead of a geometry"),
                Args.Spec.value("--layers", "L", "model geometry: layers"),
                Args.Spec.value("--outer", "O", "model geometry: outer dimension (2 = K/V, 1 = MLA)"),
                Args.Spec.value("--page", "P", "model geometry: tokens per block"),
                Args.Spec.value("--inner", "I", "model geometry: elements per token per outer per layer"),
                Args.Spec.value("--dtype-bytes", "D", "model geometry: bytes per element (default 2)"),
                Args.Spec.value("--layout", "fc|ls-outer|ls-block", "G1 layout (default fc; lower tiers are fc)"),
                Args.Spec.value("--integrity", "off|sampled|always", "checksum checks on onboarding (default sampled)"),
                Args.Spec.value("--g1-device", "N", "G1 in GPU memory on CUDA device N (kvbm-device-cuda); without a "
                        + "usable GPU, G1 stays in host memory and one line on stderr says why (default: host G1)"),
                Args.Spec.value("--seed", "S", "seed of the generated workload (default " + DEFAULT_SEED + ")"),
                Args.Spec.value("--workers", "N", "replay through a leader and N kvbm worker processes on loopback (ZeroMQ)"),
                Args.Spec.flag("--json", "print one JSON object"),
                Args.Spec.flag("--no-progress", "no progress bar even on a terminal"));
    }

    @Override
    public Map<String, String> fieldOptions() {
        return Map.ofEntries(Map.entry("numLayers", "--layers"), Map.entry("outerDim", "--outer"),
                Map.entry("pageSize", "--page"), Map.entry("innerDim", "--inner"),
                Map.entry("dtypeWidthBytes", "--dtype-bytes"), Map.entry("layoutType", "--layout"),
                Map.entry("integrity", "--integrity"), Map.entry("g1Blocks", "--g1-blocks"),
                Map.entry("g3Blocks", "--g3-blocks|--g3-gb"), Map.entry(ConfigKeys.DISK_CACHE_GB, "--g3-gb"),
                Map.entry("trace", "--trace"), Map.entry(CUDA_DEVICE_OPTION, "--g1-device"));
    }

    @Override
    public int run(Args args, PrintStream out) {
        LayoutConfig geometry = geometry(args);
        long blockBytes = geometry.blockDataBytes();
        int limit = args.integer("--requests", 0, 0, Integer.MAX_VALUE);
        long seed = args.string("--seed").map(s -> parseLong("--seed", s)).orElse(DEFAULT_SEED);
        String source;
        List<TraceRequest> trace;
        if (args.string("--trace").isPresent()) {
            Path file = Path.of(args.string("--trace").get());
            if (!Files.isReadable(file)) {
                throw new UsageException("--trace: cannot read " + file);
            }
            trace = MooncakeTrace.read(file, limit);
            source = file.toString();
        } else {
            trace = WorkloadGenerator.generate(WorkloadGenerator.DEFAULT, seed, 512);
            if (limit > 0 && limit < trace.size()) {
                trace = trace.subList(0, limit);
            }
            source = "generated multi-turn workload (seed " + seed + ")";
        }
        int longest = Replayer.longestRequest(trace);
        int g1 = args.integer("--g1-blocks", Math.max(DEFAULT_G1_BLOCKS, longest), 1, Integer.MAX_VALUE);
        Replayer.checkG1(trace, g1);
        int g2 = tierBlocks(args, "--g2-blocks", "--g2-gb", DEFAULT_G2_BLOCKS, blockBytes);
        int g3 = tierBlocks(args, "--g3-blocks", "--g3-gb", diskBlocksFromEnvironment(System.getenv(), blockBytes),
                blockBytes);
        checkDisk(g3, blockBytes);
        int workers = args.integer("--workers", 0, 0, 64);
        IntegrityMode integrity = args.string("--integrity").map(IntegrityMode::parse).orElse(IntegrityMode.SAMPLED);
        LayoutType g1Layout = args.string("--layout").map(LayoutType::parse).orElse(LayoutType.FULLY_CONTIGUOUS);
        boolean json = args.flag("--json");

        KvBlockManager.Builder builder = KvBlockManager.builder().geometry(geometry).integrity(integrity)
                .tierBlocks(Tier.G1, g1).tierBlocks(Tier.G2, g2).tierBlocks(Tier.G3, g3).layoutType(Tier.G1, g1Layout);
        if (workers > 0) {
            if (args.string("--g1-device").isPresent()) {
                throw new UsageException("--g1-device and --workers exclude each other (each worker process picks its own G1)");
            }
            checkMemory(g1, g2, blockBytes * workers); // each worker process holds its own G1 and G2
            // The leader keeps logical blocks; each worker process holds the bytes (one geometry per worker here).
            try (LocalWorkers cluster = LocalWorkers.start(workers, geometry.withNumBlocks(g1), g1Layout, g2, g3);
                 KvBlockManager manager = cluster.manager(g1, g2, g3)) {
                report(manager, trace, args, json, blockBytes, source + ", " + workers + " worker process(es)", out);
            }
            return Cli.OK;
        }
        boolean g1OnDevice = selectG1(args, builder, System.err);
        checkMemory(g1OnDevice ? 0 : g1, g2, blockBytes); // a device G1 takes no host memory
        try (KvBlockManager manager = builder.build()) {
            report(manager, trace, args, json, blockBytes, source, out);
        }
        return Cli.OK;
    }

    private static void report(KvBlockManager manager, List<TraceRequest> trace, Args args, boolean json, long blockBytes,
                               String source, PrintStream out) {
        ReplayReport report = Replayer.run(manager, trace, progress(args, json, trace.size()));
        HostCopyProbe.Result reference = reference(blockBytes);
        if (json) {
            printJson(report, manager, blockBytes, reference, out);
        } else {
            printText(report, manager, source, blockBytes, reference, out);
        }
    }

    /**
     * {@code --g1-device N}: G1 on the {@code cuda} tier provider, device N, when it is usable here; otherwise (and
     * without the option) G1 on the host tiers, the {@code cuda} providers left out so they are never probed. The
     * fallback prints one line on {@code err} saying why. Returns whether G1 goes to the device.
     */
    static boolean selectG1(Args args, KvBlockManager.Builder builder, PrintStream err) {
        if (args.string("--g1-device").isEmpty()) {
            builder.providers(ProviderRegistry.load(Set.of(CUDA_PROVIDER)));
            return false;
        }
        int device = args.integer("--g1-device", 0, 0, 1023);
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
    static HostCopyProbe.Result reference(long blockBytes) {
        int blocks = (int) Math.max(16, Math.min(4096, (256L << 20) / blockBytes));
        return HostCopyProbe.measure(blockBytes, blocks, 3);
    }

    private static LayoutConfig geometry(Args args) {
        boolean model = args.string("--layers").isPresent() || args.string("--outer").isPresent()
                || args.string("--page").isPresent() || args.string("--inner").isPresent();
        if (model && args.string("--block-bytes").isPresent()) {
            throw new UsageException("--block-bytes and the model geometry (--layers --outer --page --inner) exclude each other");
        }
        if (model) {
            return new LayoutConfig(1, args.integer("--layers", null), args.integer("--outer", null),
                    args.integer("--page", null), args.integer("--inner", null), LayoutConfig.DEFAULT_ALIGNMENT,
                    args.integer("--dtype-bytes", LayoutConfig.DEFAULT_DTYPE_WIDTH_BYTES));
        }
        int bytes = args.integer("--block-bytes", DEFAULT_BLOCK_BYTES, 2, Integer.MAX_VALUE);
        if (bytes % 2 != 0) {
            throw new UsageException("--block-bytes must be even (blocks are 2-byte elements) (got " + bytes + ")");
        }
        // One layer, one outer component, one token of bytes/2 two-byte elements: only the size matters here.
        return new LayoutConfig(1, 1, 1, 1, bytes / 2, LayoutConfig.DEFAULT_ALIGNMENT, 2);
    }

    /** A tier's block count from {@code --gX-blocks} or {@code --gX-gb} (decimal GB, as Dynamo counts). */
    private static int tierBlocks(Args args, String blocksOption, String gbOption, int fallback, long blockBytes) {
        if (args.string(blocksOption).isPresent() && args.string(gbOption).isPresent()) {
            throw new UsageException(blocksOption + " and " + gbOption + " exclude each other");
        }
        if (args.string(gbOption).isPresent()) {
            String text = args.string(gbOption).get();
            double gb;
            try {
                gb = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new UsageException(gbOption + " must be a number of decimal GB >= 0 (got '" + text + "')");
            }
            if (!(gb >= 0) || Double.isInfinite(gb)) {
                throw new UsageException(gbOption + " must be a number of decimal GB >= 0 (got " + text + ")");
            }
            double blocks = Math.floor(gb * 1e9 / blockBytes);
            if (blocks > Integer.MAX_VALUE) {
                throw new UsageException(gbOption + " of " + text + " GB is " + (long) blocks + " blocks, more than "
                        + Integer.MAX_VALUE);
            }
            return (int) blocks;
        }
        return args.integer(blocksOption, fallback, 0, Integer.MAX_VALUE);
    }

    /**
     * G3 blocks from Dynamo's variables when no option gives them: {@code DYN_KVBM_DISK_CACHE_OVERRIDE_NUM_BLOCKS}
     * when > 0, else {@code DYN_KVBM_DISK_CACHE_GB} (decimal GB); 0 (no G3) when neither is set.
     */
    static int diskBlocksFromEnvironment(Map<String, String> env, long blockBytes) {
        String blocks = env.get(ConfigKeys.DISK_CACHE_OVERRIDE_NUM_BLOCKS);
        if (blocks != null && !blocks.isBlank()) {
            try {
                int n = Integer.parseInt(blocks.trim());
                if (n > 0) {
                    return n;
                }
                if (n < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new UsageException(ConfigKeys.DISK_CACHE_OVERRIDE_NUM_BLOCKS + " must be an integer in 0.."
                        + Integer.MAX_VALUE + " (got '" + blocks + "')");
            }
        }
        String gb = env.get(ConfigKeys.DISK_CACHE_GB);
        if (gb == null || gb.isBlank()) {
            return 0;
        }
        double v;
        try {
            v = Double.parseDouble(gb.trim());
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        double n = Math.floor(v * 1e9 / blockBytes);
        if (!(v >= 0) || n > Integer.MAX_VALUE) {
            throw new UsageException(ConfigKeys.DISK_CACHE_GB + " must be decimal GB >= 0 giving at most "
                    + Integer.MAX_VALUE + " blocks (got '" + gb + "')");
        }
        return (int) n;
    }

    /** Refuses host tiers larger than the memory the machine can give, before anything is allocated. */
    private static void checkMemory(int g1, int g2, long blockBytes) {
        long wanted = Math.multiplyHigh(g1 + (long) g2, blockBytes) != 0 ? Long.MAX_VALUE : (g1 + (long) g2) * blockBytes;
        OptionalLong available = memAvailable();
        if (available.isPresent() && wanted > available.getAsLong()) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "g2Blocks", String.format(
                    "G1 (%d blocks) and G2 (%d blocks) of %d bytes need %.2f GiB of host memory, but the machine has "
                            + "%.2f GiB available (MemAvailable in /proc/meminfo); lower --g2-blocks/--g2-gb or --g1-blocks",
                    g1, g2, blockBytes, wanted / (double) (1L << 30), available.getAsLong() / (double) (1L << 30)));
        }
    }

    /**
     * Refuses a G3 larger than the free space where its file goes (G3 is disk, not host memory), before
     * anything is written; the disk tier checks again when it creates the file.
     */
    private static void checkDisk(int g3, long blockBytes) {
        if (g3 == 0) {
            return;
        }
        String dirText = System.getenv(ConfigKeys.DISK_CACHE_DIR);
        Path dir = Path.of(dirText != null ? dirText : System.getProperty("java.io.tmpdir"));
        long wanted = Math.multiplyHigh(g3, blockBytes) != 0 ? Long.MAX_VALUE : g3 * blockBytes;
        long free;
        try {
            Path existing = dir.toAbsolutePath();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent(); // the tier creates the directory; its file system is the parent's
            }
            if (existing == null) {
                return;
            }
            free = Files.getFileStore(existing).getUsableSpace();
        } catch (IOException e) {
            return; // the tier reports what it cannot reach
        }
        if (wanted > free) {
            throw KvbmException.forField(ErrorCode.INVALID_CONFIG, "g3Blocks", String.format(
                    "G3 (%d blocks of %d bytes) needs %.2f GB of disk, but %s has %.2f GB free; lower --g3-blocks/--g3-gb "
                            + "or set %s to a larger file system", g3, blockBytes, wanted / 1e9, dir, free / 1e9,
                    ConfigKeys.DISK_CACHE_DIR));
        }
    }

    static OptionalLong memAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or unreadable: no check
        }
        return OptionalLong.empty();
    }

    private static long parseLong(String option, String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be an integer (got '" + text + "')");
        }
    }

    private static IntConsumer progress(Args args, boolean json, int total) {
        if (json || args.flag("--no-progress") || System.console() == null) {
            return null;
        }
        PrintStream err = System.err;
        int[] shown = {-1};
        return done -> {
            int percent = (int) (100L * done / total);
            if (percent != shown[0]) {
                shown[0] = percent;
                int bar = percent / 4;
                err.print("\r[" + "#".repeat(bar) + " ".repeat(25 - bar) + "] " + done + "/" + total + " requests");
                if (done == total) {
                    err.println();
                }
                err.flush();
            }
        };
    }

    private static String bytes(double b) {
        if (b >= 1L << 30) {
            return String.format("%.2f GiB", b / (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format("%.1f MiB", b / (1L << 20));
        }
        return String.format("%.0f KiB", b / 1024);
    }

    private static void printText(ReplayReport r, KvBlockManager m, String source, long blockBytes,
                                  HostCopyProbe.Result reference, PrintStream out) {
        out.printf("replay: %,d requests, %,d blocks of %s, from %s%n", r.requests(), r.blocks(), bytes(blockBytes), source);
        for (TierRuntime t : m.tiers().values()) {
            out.printf("  %s: %,d blocks on %s (%s, allocated in %.0f ms)%n", t.tier(), t.pool().totalBlocks(),
                    t.provider(), bytes((double) t.pool().totalBlocks() * blockBytes), t.allocationNanos() / 1e6);
        }
        out.print("hits:");
        for (Tier t : m.tiers().keySet()) {
            out.printf("  %s %,d (%.1f%%)", t, r.hits().get(t), 100 * r.hitRate(t));
        }
        out.printf("%n  hit rate %.1f%%; an unbounded cache: %.1f%% (this run reached %.1f%% of it)%n", 100 * r.hitRate(),
                100 * r.maxHitRate(), r.maxHitRate() == 0 ? 0 : 100 * r.hitRate() / r.maxHitRate());
        out.println("transfers:");
        for (String path : r.pathBlocks().keySet()) {
            out.printf("  %-7s %,10d blocks %12s %8.2f GB/s%n", path, r.pathBlocks().get(path),
                    bytes(r.pathBytes().get(path)), r.pathGbps().get(path));
        }
        out.printf("  reference, same run, %s blocks: libc memcpy %.2f GB/s (memcpy engine %.2f GB/s)%n",
                bytes(blockBytes), reference.memcpyGBps(), reference.engineGBps());
        out.printf("integrity: %s, %,d verified, %d checksum failure(s)%n", m.checksums().mode().name().toLowerCase(),
                m.checksums().verifiedCount(), r.checksumFailures());
        out.printf("offloads skipped: %s%n", r.offloadSkips());
        for (TierRuntime t : m.tiers().values()) {
            var h = m.health().state(t.tier());
            if (h.degradations() > 0) {
                out.printf("  %s %s: degraded %d time(s), restored %d time(s)%n", t.tier(),
                        h.degraded() ? "is DEGRADED" : "recovered", h.degradations(), h.restorations());
            }
        }
        out.printf("manager time per request (copies excluded): p50 %.1f us, p99 %.1f us%n", r.managerP50Micros(),
                r.managerP99Micros());
        out.printf("wall time: %.1f s%n", r.wallSeconds());
    }

    private static void printJson(ReplayReport r, KvBlockManager m, long blockBytes, HostCopyProbe.Result reference,
                                  PrintStream out) {
        JsonLine.print(out, g -> {
            g.writeStartObject();
            g.writeNumberField("requests", r.requests());
            g.writeNumberField("blocks", r.blocks());
            g.writeNumberField("blockBytes", blockBytes);
            g.writeObjectFieldStart("hits");
            for (Tier t : new Tier[] {Tier.G1, Tier.G2, Tier.G3}) {
                g.writeNumberField(t.name().toLowerCase(), r.hits().getOrDefault(t, 0L));
            }
            g.writeEndObject();
            JsonLine.number(g, "hitRate", r.hitRate());
            JsonLine.number(g, "maxHitRate", r.maxHitRate());
            g.writeObjectFieldStart("tiers");
            for (TierRuntime t : m.tiers().values()) {
                g.writeObjectFieldStart(t.tier().name().toLowerCase());
                g.writeNumberField("blocks", t.pool().totalBlocks());
                g.writeStringField("provider", t.provider());
                JsonLine.number(g, "allocationMillis", t.allocationNanos() / 1e6);
                g.writeEndObject();
            }
            g.writeEndObject();
            longs(g, "bytes", r.pathBytes());
            g.writeObjectFieldStart("gbps");
            for (Map.Entry<String, Double> e : r.pathGbps().entrySet()) {
                JsonLine.number(g, e.getKey(), e.getValue());
            }
            g.writeEndObject();
            longs(g, "transferBlocks", r.pathBlocks());
            JsonLine.number(g, "memcpyReferenceGbps", reference.memcpyGBps());
            JsonLine.number(g, "memcpyEngineProbeGbps", reference.engineGBps());
            g.writeNumberField("checksumFailures", r.checksumFailures());
            g.writeNumberField("checksumsVerified", m.checksums().verifiedCount());
            longs(g, "offloadSkips", r.offloadSkips());
            JsonLine.number(g, "managerP50Micros", r.managerP50Micros());
            JsonLine.number(g, "managerP99Micros", r.managerP99Micros());
            JsonLine.number(g, "wallSeconds", r.wallSeconds());
            g.writeEndObject();
        });
    }

    private static void longs(JsonGenerator g, String name, Map<String, Long> values) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> e : values.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
