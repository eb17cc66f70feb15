package dev.kvbm.cli.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.api.layout.LayoutType;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.cluster.ClusterReady;
import dev.kvbm.core.cluster.Leader;
import dev.kvbm.core.cluster.LeaderSettings;
import dev.kvbm.core.cluster.Sizing;
import dev.kvbm.core.providers.ProviderRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A leader in this process and N {@code kvbm worker} processes of the same distribution on loopback, for
 * {@code kvbm replay --workers N}. The workers are started with this JVM's own command line (java, JVM
 * options, argfile, module path) and die with it: {@link #close()}, a shutdown hook, and their
 * {@code --parent-pid} watch.
 */
final class LocalWorkers implements AutoCloseable {
    private final List<Process> workers = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private final Thread hook = new Thread(this::destroy);
    private final Leader leader;

    /** The model identity a replay's workers name their G4 keys with (a local replay's, so both share G4). */
    static final String MODEL_IDENTITY = "kvbm-replay";

    private LocalWorkers(int n, LayoutConfig g1, LayoutType layout, int g2, int g3, Map<String, String> tierOptions,
                         Optional<String> g4) {
        Runtime.getRuntime().addShutdownHook(hook);
        Leader started = null;
        try {
            LeaderSettings settings = LeaderSettings.fromEnvironment(System.getenv())
                    .withSizing(new Sizing(g2, 0, g3, 0));
            started = Leader.start(new TransportConfig("tcp://127.0.0.1:*", "tcp://localhost:*", n,
                    settings.initTimeout(), Map.of()), settings, ProviderRegistry.load());
            List<String> prefix = jvmCommand();
            prefix.addAll(1, TierOptions.jvmFlags(tierOptions)); // after java, before the module: -DKEY=VALUE
            for (int i = 0; i < n; i++) {
                List<String> cmd = new ArrayList<>(prefix);
                cmd.addAll(List.of("worker", "--leader-pub", started.publishEndpoint(), "--leader-ack", started.ackEndpoint(),
                        "--device-blocks", String.valueOf(g1.numBlocks()), "--layout", layout.shortName(),
                        "--layers", String.valueOf(g1.numLayers()), "--outer", String.valueOf(g1.outerDim()),
                        "--page", String.valueOf(g1.pageSize()), "--inner", String.valueOf(shardInner(g1.innerDim(), n, i)),
                        "--dtype-bytes", String.valueOf(g1.dtypeWidthBytes()),
                        "--parent-pid", String.valueOf(ProcessHandle.current().pid())));
                if (g4.isPresent()) {
                    // each worker's shard has keys of its own
                    cmd.addAll(List.of("--g4", g4.get(), "--shard-index", String.valueOf(i), "--model-identity",
                            MODEL_IDENTITY));
                }
                Path log = Files.createTempFile("kvbm-worker-" + i + "-", ".log");
                logs.add(log);
                workers.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
            }
            started.awaitReady(settings.initTimeout().plusSeconds(5));
            leader = started;
        } catch (IOException | RuntimeException e) {
            if (started != null) {
                started.close();
            }
            String tails = tails();
            destroy();
            Runtime.getRuntime().removeShutdownHook(hook);
            throw new KvbmException(ErrorCode.INVALID_STATE, "starting " + n + " worker process(es) failed: "
                    + e.getMessage() + tails, e);
        }
    }

    /**
     * Elements per token of worker {@code i}'s shard: the workers split {@code inner} as tensor parallelism does
     * (the first {@code inner % n} get one more), so a block's bytes summed over them are the local replay's.
     */
    static int shardInner(int inner, int n, int i) {
        if (inner < n) {
            throw new UsageException("--workers " + n + " splits each block's " + inner + " element(s) per token "
                    + "among the workers: at most " + inner + " worker(s) (or larger blocks)");
        }
        return inner / n + (i < inner % n ? 1 : 0);
    }

    /**
     * Starts {@code n} worker processes (each given {@code tierOptions} as {@code -DKEY=VALUE}) and their leader;
     * with {@code g4}, each worker opens that store.
     */
    static LocalWorkers start(int n, LayoutConfig g1, LayoutType layout, int g2, int g3, Map<String, String> tierOptions,
                              Optional<String> g4) {
        return new LocalWorkers(n, g1, layout, g2, g3, tierOptions, g4);
    }

    /** A manager whose tiers are logical here, with the bytes on the workers. */
    KvBlockManager manager(int g1Blocks, int g2Blocks, int g3Blocks) {
        return manager(g1Blocks, g2Blocks, g3Blocks, b -> { });
    }

    /** As {@link #manager(int, int, int)}, after {@code more} added to the builder (events, G4). */
    KvBlockManager manager(int g1Blocks, int g2Blocks, int g3Blocks, Consumer<KvBlockManager.Builder> more) {
        KvBlockManager.Builder b = logical(leader, leader.awaitReady(Duration.ofSeconds(1))).tierBlocks(Tier.G1, g1Blocks)
                .tierBlocks(Tier.G2, g2Blocks).tierBlocks(Tier.G3, g3Blocks);
        more.accept(b);
        return b.build();
    }

    /** A builder of a manager over {@code leader}: one block is the bytes of every worker's shard. */
    static KvBlockManager.Builder logical(Leader leader, ClusterReady r) {
        long bytes = r.bytesPerBlock();
        LayoutConfig geometry = new LayoutConfig(1, 1, 1, 1, (int) (bytes / 2), LayoutConfig.DEFAULT_ALIGNMENT, 2);
        return KvBlockManager.builder().geometry(geometry).logical(leader);
    }

    /** Workers that exited (each with its exit status), in start order; empty while all run. */
    List<String> exited() {
        List<String> gone = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            if (!workers.get(i).isAlive()) {
                gone.add("worker " + i + " (pid " + workers.get(i).pid() + ") exited with " + workers.get(i).exitValue());
            }
        }
        return gone;
    }

    /** This JVM's command line up to the module to run, then {@code -m dev.kvbm.cli}. */
    static List<String> jvmCommand() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        String java = info.command().orElseThrow(() -> new KvbmException(ErrorCode.INVALID_STATE,
                "cannot tell which java runs this process, to start the workers with it"));
        String[] args = info.arguments().orElse(new String[0]);
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String a : args) {
            if (a.equals("-m") || a.equals("--module") || a.startsWith("--module=")) {
                cmd.addAll(List.of("-m", "dev.kvbm.cli/dev.kvbm.cli.Main"));
                return cmd;
            }
            cmd.add(a);
        }
        // Not started as a module (tests, embedding): the module path of this JVM and the CLI module.
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath == null) {
            throw new KvbmException(ErrorCode.INVALID_STATE, "kvbm replay --workers starts worker processes from the "
                    + "module path; run it through ./kvbm (java -p lib -m dev.kvbm.cli)");
        }
        cmd.clear();
        cmd.addAll(List.of(java, "-p", modulePath, "-m", "dev.kvbm.cli/dev.kvbm.cli.Main"));
        return cmd;
    }

    private String tails() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < logs.size(); i++) {
            try {
                Process p = i < workers.size() ? workers.get(i) : null;
                if (p != null && !p.isAlive()) {
                    String text = Files.readString(logs.get(i));
                    b.append("\n  worker ").append(i).append(" exited with ").append(p.exitValue()).append(": ")
                            .append(text.length() > 2000 ? text.substring(text.length() - 2000) : text.strip());
                }
            } catch (IOException ignored) {
                // best effort
            }
        }
        return b.toString();
    }

    private void destroy() {
        for (Process p : workers) {
            p.destroy();
        }
        for (Process p : workers) {
            try {
                if (!p.waitFor(3, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(3, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (Path log : logs) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }

    @Override
    public void close() {
        if (leader != null) {
            leader.close();
        }
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook runs destroy() itself
        }
    }
}
