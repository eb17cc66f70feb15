package dev.kvbm.cli.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.config.ConfigKeys;
import dev.kvbm.api.config.EnvironmentVariables;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.core.cluster.ClusterReady;
import dev.kvbm.core.cluster.Leader;
import dev.kvbm.core.cluster.LeaderSettings;
import dev.kvbm.core.cluster.Sizing;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.offload.PathStats;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.transport.zmq.ZmqOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kvbm leader}: binds the leader's endpoints, runs the handshake and prints the leader metadata. */
@Command(name = "leader", description = "Run a leader: handshake with N workers over ZeroMQ and print the leader metadata.",
        customSynopsis = "kvbm leader [--pub URL] [--ack URL] [--dp-rank R] --workers N [--g2-blocks M | --g2-gb X] "
                + "[--g3-blocks K | --g3-gb Y] [--json] [--exit-after-handshake] [--probe N] [--curve-secret FILE] "
                + "[--allow-non-loopback] [--g4 URI] [--events URL [--events-replay URL]] [--metrics-port P]",
        footer = {"environment (a malformed value is an error naming it):",
            "  DYN_KVBM_LEADER_ZMQ_HOST, _PUB_PORT, _ACK_PORT       endpoints (127.0.0.1, 56001, 56002; ports + 2 * rank)",
            "  DYN_KVBM_CPU_CACHE_OVERRIDE_NUM_BLOCKS, _CPU_CACHE_GB G2 blocks, or decimal GB over the summed block bytes",
            "  DYN_KVBM_DISK_CACHE_OVERRIDE_NUM_BLOCKS, _DISK_CACHE_GB G3 blocks, or decimal GB",
            "  DYN_KVBM_LEADER_WORKER_INIT_TIMEOUT_SECS             handshake timeout in seconds (120)",
            "  DYN_KVBM_METRICS=true, DYN_KVBM_METRICS_PORT         metrics without --metrics-port (port 6880)",
            "  KVBM_EVENTS_ENDPOINT, KVBM_EVENTS_REPLAY_ENDPOINT    --events, --events-replay"})
final class LeaderCommand extends Subcommand {

    /** G2 by count or by size. */
    static final class G2Size {
        @Range
        @Option(names = "--g2-blocks", paramLabel = "M", description = "G2 blocks (default DYN_KVBM_CPU_CACHE_OVERRIDE_"
                + "NUM_BLOCKS)")
        Integer blocks;
        @Option(names = "--g2-gb", paramLabel = "X", converter = OptionChecks.Gigabytes.class,
                description = "G2 in decimal GB over the summed bytes per block (default DYN_KVBM_CPU_CACHE_GB)")
        Double gb;
    }

    /** G3 by count or by size. */
    static final class G3Size {
        @Range
        @Option(names = "--g3-blocks", paramLabel = "K", description = "G3 blocks (default DYN_KVBM_DISK_CACHE_OVERRIDE_"
                + "NUM_BLOCKS)")
        Integer blocks;
        @Option(names = "--g3-gb", paramLabel = "Y", converter = OptionChecks.Gigabytes.class,
                description = "G3 in decimal GB (default DYN_KVBM_DISK_CACHE_GB)")
        Double gb;
    }

    @Option(names = "--pub", paramLabel = "URL", description = "PUB endpoint to bind (default from DYN_KVBM_LEADER_ZMQ_*, "
            + "tcp://127.0.0.1:56001)")
    String pub;
    @Option(names = "--ack", paramLabel = "URL", description = "PULL endpoint to bind (default tcp://127.0.0.1:56002)")
    String ack;
    @Option(names = "--workers", paramLabel = "N", description = "number of workers (world size), 1..4096 (required)")
    Integer workers;
    @Option(names = "--dp-rank", paramLabel = "R", defaultValue = "0", description = "data-parallel rank: default ports "
            + "+ 2 * R, and the KV events' data_parallel_rank")
    int dpRank;
    @Option(names = "--model-identity", paramLabel = "ID", defaultValue = "kvbm", description = "with --g4: the model "
            + "identity of the workers' G4 keys (as each worker's --model-identity)")
    String modelIdentity;
    @ArgGroup(exclusive = true)
    G2Size g2 = new G2Size();
    @ArgGroup(exclusive = true)
    G3Size g3 = new G3Size();
    @Option(names = "--json", arity = "0", description = "print one JSON object on one line")
    boolean json;
    @Option(names = "--exit-after-handshake", arity = "0", description = "exit once the handshake is done")
    boolean exitAfterHandshake;
    @Option(names = "--probe", paramLabel = "N", defaultValue = "0", description = "after the handshake, time N "
            + "transfer_blocks round trips of 16 blocks G1->G2 (0..1000000)")
    int probe;
    @Option(names = "--curve-secret", paramLabel = "FILE", description = "the leader's CURVE certificate (public and "
            + "secret key): encrypt")
    String curveSecret;
    @Mixin
    ServiceOptions.G4 g4 = new ServiceOptions.G4();
    @Mixin
    ServiceOptions.Events events = new ServiceOptions.Events();
    @Mixin
    ServiceOptions.Metrics metrics = new ServiceOptions.Metrics();
    @Option(names = "--allow-non-loopback", arity = "0", description = "allow binding a non-loopback address (logs a warning)")
    boolean allowNonLoopback;

    @Override
    public Integer call() {
        OptionalModules.require(OptionalModules.ZMQ);
        // Every option and variable is checked before anything is bound.
        int rank = OptionChecks.range("--dp-rank", dpRank, 0, 32767);
        int worldSize = OptionChecks.required("--workers", workers, 1, 4096);
        int probes = OptionChecks.range("--probe", probe, 0, 1_000_000);
        EnvironmentVariables env = EnvironmentVariables.system();
        env.port(ConfigKeys.LEADER_ZMQ_PUB_PORT);
        env.port(ConfigKeys.LEADER_ZMQ_ACK_PORT);
        env.integer(ConfigKeys.LEADER_WORKER_INIT_TIMEOUT_SECS, 1, Long.MAX_VALUE);
        Sizing sizing = sizing(env);
        ZmqOptions.Endpoints defaults = ZmqOptions.endpoints(System.getenv(), rank);
        Map<String, String> options = new HashMap<>();
        if (curveSecret != null) {
            options.put(ZmqOptions.CURVE_SERVER_SECRET_FILE, curveSecret);
        }
        if (allowNonLoopback) {
            options.put(ZmqOptions.ALLOW_NON_LOOPBACK, "true");
        }
        LeaderSettings settings = LeaderSettings.fromEnvironment(System.getenv()).withSizing(sizing);
        // The loopback rule is the transport's; its refusal names the flag that lifts it.
        String pubEndpoint = OptionChecks.endpoint(pub != null ? "--pub" : "DYN_KVBM_LEADER_ZMQ_HOST/_PUB_PORT",
                pub != null ? pub : defaults.publish(), true);
        String ackEndpoint = OptionChecks.endpoint(ack != null ? "--ack" : "DYN_KVBM_LEADER_ZMQ_HOST/_ACK_PORT",
                ack != null ? ack : defaults.ack(), true);
        TransportConfig config = new TransportConfig(pubEndpoint, ackEndpoint, worldSize, settings.initTimeout(), options);
        ReplayServices services = ReplayServices.check("kvbm leader", g4, events, metrics, null, env);
        Leader leader = Leader.start(config, settings, ProviderRegistry.load());
        KvBlockManager manager = null;
        try (services) {
            ClusterReady r = leader.awaitReady(settings.initTimeout().plusSeconds(5));
            if (services.requested()) {
                // The leader owns the logical pools: their events and metrics are published here (G4 on the workers).
                KvBlockManager.Builder b = LocalWorkers.logical(leader, r).tierBlocks(Tier.G1, blocks(r.numDeviceBlocks()))
                        .tierBlocks(Tier.G2, blocks(r.numHostBlocks())).tierBlocks(Tier.G3, blocks(r.numDiskBlocks()));
                services.attach(b, ProviderRegistry.load(), modelIdentity, rank);
                manager = b.build();
                services.serve(manager, err);
            }
            PathStats probed = manager == null ? null : manager.pathStats().get("G1->G2");
            if (json) {
                LeaderProbe.Result p = probes > 0 ? LeaderProbe.run(leader, r, probes, probed) : null;
                JsonLine.print(out, g -> {
                    g.writeStartObject();
                    g.writeBooleanField("ready", true);
                    g.writeNumberField("numDeviceBlocks", r.numDeviceBlocks());
                    g.writeNumberField("bytesPerBlock", r.bytesPerBlock());
                    g.writeNumberField("numHostBlocks", r.numHostBlocks());
                    g.writeNumberField("numDiskBlocks", r.numDiskBlocks());
                    JsonLine.number(g, "handshakeMillis", r.handshakeTime().toNanos() / 1e6);
                    if (p != null) {
                        JsonLine.number(g, "transferP50Micros", p.transferP50Micros());
                        JsonLine.number(g, "transferP99Micros", p.transferP99Micros());
                        JsonLine.number(g, "pingP50Micros", p.pingP50Micros());
                        JsonLine.number(g, "pingP99Micros", p.pingP99Micros());
                        g.writeNumberField("probeTransfers", p.transfers());
                    }
                    g.writeEndObject();
                });
            } else {
                out.printf("leader ready: %d worker(s) on %s / %s; G1 %,d blocks, %,d bytes per block (all workers), "
                                + "G2 %,d blocks, G3 %,d blocks; handshake %.0f ms%n", worldSize, leader.publishEndpoint(),
                        leader.ackEndpoint(), r.numDeviceBlocks(), r.bytesPerBlock(), r.numHostBlocks(), r.numDiskBlocks(),
                        r.handshakeTime().toNanos() / 1e6);
                out.flush();
                if (probes > 0) {
                    LeaderProbe.Result p = LeaderProbe.run(leader, r, probes, probed);
                    out.printf("transfer_blocks of 16 blocks G1->G2, %d round trips: p50 %.0f us, p99 %.0f us "
                                    + "(ping: p50 %.0f us, p99 %.0f us)%n", probes, p.transferP50Micros(),
                            p.transferP99Micros(), p.pingP50Micros(), p.pingP99Micros());
                }
            }
            out.flush();
            if (!exitAfterHandshake) {
                CountDownLatch forever = new CountDownLatch(1);
                KvBlockManager serving = manager;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    if (serving != null) {
                        serving.close();
                    }
                    services.close();
                    leader.close();
                }));
                forever.await();
            }
            return Cli.OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Cli.FAILED;
        } finally {
            if (manager != null) {
                manager.close(); // closes the leader, its mover
            }
            leader.close();
        }
    }

    private static int blocks(long n) {
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    /** G2/G3 sizing: the options, else Dynamo's variables (read through the one environment parser), else 0. */
    Sizing sizing(EnvironmentVariables env) {
        long g2Blocks = env.blockCount(ConfigKeys.CPU_CACHE_OVERRIDE_NUM_BLOCKS).orElse(0);
        double g2Gb = env.gigabytes(ConfigKeys.CPU_CACHE_GB).orElse(0);
        long g3Blocks = env.blockCount(ConfigKeys.DISK_CACHE_OVERRIDE_NUM_BLOCKS).orElse(0);
        double g3Gb = env.gigabytes(ConfigKeys.DISK_CACHE_GB).orElse(0);
        if (g2.blocks != null) {
            g2Blocks = g2.blocks; // its range (@Range) is checked before the command runs
            g2Gb = 0;
        }
        if (g2.gb != null) {
            g2Gb = g2.gb;
            g2Blocks = 0;
        }
        if (g3.blocks != null) {
            g3Blocks = g3.blocks;
            g3Gb = 0;
        }
        if (g3.gb != null) {
            g3Gb = g3.gb;
            g3Blocks = 0;
        }
        return new Sizing(g2Blocks, g2Gb, g3Blocks, g3Gb);
    }
}
