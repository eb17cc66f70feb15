package dev.kvbm.cli.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.config.EnvironmentVariables;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.EngineConnector;
import dev.kvbm.api.spi.EngineModel;
import dev.kvbm.api.spi.EngineOptions;
import dev.kvbm.api.spi.ProviderNames;
import dev.kvbm.api.spi.RandomModelSpec;
import dev.kvbm.api.spi.ReferenceCopy;
import dev.kvbm.core.engine.EngineReplayReport;
import dev.kvbm.core.engine.EngineReplayer;
import dev.kvbm.core.engine.ServingSession;
import dev.kvbm.core.integrity.IntegrityMode;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.replay.TraceRequest;
import dev.kvbm.core.replay.WorkloadGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code kvbm replay --engine llama.cpp|jlama}: the trace through a real engine on kvbm. Each trace block id
 * stands for {@code --trace-block-tokens} tokens, each request is a prompt the engine prefills from an empty
 * sequence with whatever kvbm holds of it, and the same requests are recomputed from scratch in the same run
 * for the time-to-first-token comparison and the bit-for-bit logits check.
 */
final class EngineReplay {
    /** kvbm's block size in tokens when --page is not given. */
    static final int DEFAULT_PAGE = 16;
    /** G1 and G2 sizes of an engine replay, in blocks, when no option or variable gives them. */
    static final int DEFAULT_G1_BLOCKS = 256;
    static final int DEFAULT_G2_BLOCKS = 2048;
    /**
     * The generated workload of an engine replay: 12 conversations of 6 turns over 2 shared system prompts of
     * 32 blocks, each turn adding up to 8 blocks: 72 requests of 33..80 trace blocks (528..1,280 tokens at 16
     * tokens a block), mostly shared prefixes.
     */
    static final WorkloadGenerator.Shape WORKLOAD = new WorkloadGenerator.Shape(12, 6, 2, 32, 8);

    private EngineReplay() {
    }

    static int run(ReplayCommand c) {
        String name = c.engine;
        if (!name.equals(ProviderNames.LLAMA_CPP) && !name.equals(ProviderNames.JLAMA)) {
            throw new UsageException("--engine must be llama.cpp, jlama or none (got '" + name + "')");
        }
        if (c.placement.workers != null || c.placement.g1Device != null) {
            throw new UsageException("--engine runs G1 in host memory in this process: --workers and --g1-device "
                    + "exclude it");
        }
        if (c.shape.blockBytes != null) {
            throw new UsageException("--block-bytes and --engine exclude each other: the block size is --page tokens "
                    + "of the model's KV");
        }
        ReplayCommand.Geometry g = c.shape.geometry;
        if (g != null && (g.layers != null || g.outer != null || g.inner != null || g.dtypeBytes != null)) {
            throw new UsageException("--layers, --outer, --inner and --dtype-bytes come from the model with --engine; "
                    + "give only --page");
        }
        int page = g != null && g.page != null ? WorkerCommand.pageSize(OptionChecks.range("--page", g.page, 1, 1024))
                : DEFAULT_PAGE;
        int threads = c.threads; // the ranges of these are declared on the options (@Range), checked before call()
        int verify = c.verify;
        int baselineEvery = c.baselineEvery;
        int tokensPerId = c.traceBlockTokens == null ? page : c.traceBlockTokens;
        int limit = c.requests == null ? 0 : c.requests;
        IntegrityMode integrityMode = IntegrityMode.parse(c.integrity);
        LayoutType g1Layout = LayoutType.parse(c.layout);
        TierOptions.apply(c.tierOptions);
        EnvironmentVariables env = EnvironmentVariables.system();
        ReplayPreflight.checkManagerVariables(env);
        Path modelPath = c.model == null ? null : Path.of(c.model);
        if (modelPath != null && !Files.exists(modelPath)) {
            throw new UsageException("--model: no such file or folder: " + modelPath);
        }

        List<TraceRequest> trace;
        String source;
        if (c.trace != null) {
            trace = ReplayCommand.readTrace(c.trace, limit);
            source = c.trace;
        } else {
            trace = WorkloadGenerator.generate(WORKLOAD, c.seed, tokensPerId);
            if (limit > 0 && limit < trace.size()) {
                trace = trace.subList(0, limit);
            }
            source = "generated multi-turn workload (seed " + c.seed + ")";
        }
        long longestTokens = (long) Replayer.longestRequest(trace) * tokensPerId;
        if (longestTokens > 1 << 20) {
            throw new UsageException("the longest request is " + longestTokens + " tokens (" + tokensPerId
                    + " per trace block); at most 1048576: lower --trace-block-tokens or --requests");
        }

        ReplayServices services = ReplayServices.check(c, env);
        ProviderRegistry registry = ProviderRegistry.load(Set.of(ProviderNames.CUDA));
        EngineConnector connector = registry.connector(name);
        if (modelPath == null) {
            modelPath = defaultModel(connector);
        }
        try (EngineModel model = connector.open(new EngineOptions(modelPath, threads, (int) Math.max(1, longestTokens)))) {
            LayoutConfig geometry = model.geometry().layout(1, page);
            long blockBytes = geometry.blockDataBytes();
            int longestBlocks = (int) ((longestTokens + page - 1) / page);
            int g2Blocks = ReplayPreflight.tierBlocks(c.g2.blocks, "--g2-blocks", c.g2.gb, "--g2-gb", env,
                    ConfigKeys.CPU_CACHE_OVERRIDE_NUM_BLOCKS, ConfigKeys.CPU_CACHE_GB, DEFAULT_G2_BLOCKS, blockBytes);
            ReplayPreflight.TierSize g3Size = ReplayPreflight.tierSize(c.g3.blocks, "--g3-blocks", c.g3.gb, "--g3-gb", env,
                    ConfigKeys.DISK_CACHE_OVERRIDE_NUM_BLOCKS, ConfigKeys.DISK_CACHE_GB, 0, blockBytes);
            if (g3Size.source() != null) {
                c.g3Source = g3Size.source();
            }
            int g3Blocks = g3Size.blocks();
            int g1 = OptionChecks.orDefault("--g1-blocks", c.g1Blocks, Math.max(DEFAULT_G1_BLOCKS, longestBlocks), 1,
                    Integer.MAX_VALUE);
            if (g1 < longestBlocks) {
                throw new UsageException("--g1-blocks " + g1 + " is smaller than the longest request (" + longestBlocks
                        + " blocks of " + page + " tokens)");
            }
            if (g3Blocks > 0) {
                OptionalModules.require(OptionalModules.DISK, "--g3-blocks/--g3-gb");
            }
            ReplayPreflight.checkDisk(g3Size, blockBytes, env);
            ReplayPreflight.checkMemory(g1, g2Blocks, blockBytes);
            KvBlockManager.Builder builder = KvBlockManager.builder().geometry(geometry).integrity(integrityMode)
                    .providers(registry).tierBlocks(Tier.G1, g1).tierBlocks(Tier.G2, g2Blocks)
                    .tierBlocks(Tier.G3, g3Blocks).layoutType(Tier.G1, g1Layout);
            services.attach(builder, registry, model.identity());
            try (services; KvBlockManager manager = builder.build()) {
                services.serve(manager, c.err);
                ServingSession session = ServingSession.open(manager, model, 0);
                EngineReplayReport report = EngineReplayer.run(session, trace, new EngineReplayer.Options(tokensPerId,
                        baselineEvery, verify), ProgressBar.of(!c.json && !c.noProgress, trace.size(), c.err));
                ReferenceCopy reference = ReplayCommand.reference(blockBytes);
                services.flushEvents();
                String described = source + "; " + model.engine() + " on " + modelPath
                        + (c.model == null ? " (the default RANDOM tiny model: outputs are meaningless)" : "")
                        + ", " + threads + " thread(s), " + tokensPerId + " tokens per trace block";
                if (c.json) {
                    ReplayJsonReport.print(report.blocks(), manager, blockBytes, reference, gen -> {
                        EngineReplayJson.write(gen, report, tokensPerId, page);
                        services.writeJson(gen);
                    }, c.out);
                } else {
                    ReplayTextReport.print(report.blocks(), manager, described, blockBytes, reference, c.out);
                    EngineReplayJson.text(report, page, c.out);
                    services.printText(c.out);
                }
                services.serveAfter(c.err);
            }
        }
        return Cli.OK;
    }

    /**
     * The default tiny model ({@link RandomModelSpec#TINY}) in the engine's format, written once into the temp
     * directory (it is deterministic, so a copy left by an earlier run is the same model).
     */
    static Path defaultModel(EngineConnector connector) {
        String format = connector.modelFormat();
        RandomModelSpec spec = RandomModelSpec.TINY;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "kvbm-models");
        Path target = dir.resolve("tiny-seed" + spec.seed() + (format.equals("gguf") ? ".gguf" : "-" + format));
        if (Files.exists(target)) {
            return target;
        }
        try {
            Files.createDirectories(dir);
            Path scratch = Files.createTempDirectory(dir, "writing-");
            try {
                Path written = scratch.resolve(target.getFileName());
                connector.writeRandomModel(spec, written);
                try {
                    Files.move(written, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another run wrote the same model first
                }
            } finally {
                try (Stream<Path> left = Files.walk(scratch)) {
                    left.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the default model into " + dir + ": " + e.getMessage(), e);
        }
    }
}
