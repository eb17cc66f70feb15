package dev.kvbm.cli.internal;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.core.cluster.ClusterReady;
import dev.kvbm.core.cluster.Leader;
import dev.kvbm.core.cluster.LeaderSettings;
import dev.kvbm.core.cluster.Sizing;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.transport.zmq.ZmqOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code kvbm leader}: binds the leader's endpoints, runs the handshake and prints the leader metadata. */
final class LeaderCommand implements Command {

    @Override
    public String name() {
        return "leader";
    }

    @Override
    public String summary() {
        return "Run a leader: handshake with N workers over ZeroMQ and print the leader metadata.";
    }

    @Override
    public String usage() {
        return "[--pub URL] [--ack URL] [--dp-rank R] --workers N [--g2-blocks M | --g2-gb X] [--g3-blocks K | --g3-gb Y] [--json] "
                + "[--exit-after-handshake] [--probe N] [--curve-secret FILE] [--allow-non-loopback]";
    }

    @Override
    public List<Args.Spec> options() {
        return List.of(
                Args.Spec.value("--pub", "URL", "PUB endpoint to bind (default from DYN_KVBM_LEADER_ZMQ_*, tcp://127.0.0.1:56001)"),
                Args.Spec.value("--ack", "URL", "PULL endpoint to bind (default tcp://127.0.0.1:56002)"),
                Args.Spec.value("--workers", "N", "number of workers (world size)"),
                Args.Spec.value("--dp-rank", "R", "data-parallel rank: default ports + 2 * R (default 0)"),
                Args.Spec.value("--g2-blocks", "M", "G2 blocks (default DYN_KVBM_CPU_CACHE_OVERRIDE_NUM_BLOCKS)"),
                Args.Spec.value("--g2-gb", "X", "G2 in decimal GB over the summed bytes per block (default DYN_KVBM_CPU_CACHE_GB)"),
                Args.Spec.value("--g3-blocks", "K", "G3 blocks (default DYN_KVBM_DISK_CACHE_OVERRIDE_NUM_BLOCKS)"),
                Args.Spec.value("--g3-gb", "Y", "G3 in decimal GB (default DYN_KVBM_DISK_CACHE_GB)"),
                Args.Spec.flag("--json", "print one JSON object"),
                Args.Spec.flag("--exit-after-handshake", "exit once the handshake is done"),
                Args.Spec.value("--probe", "N", "after the handshake, time N transfer_blocks round trips of 16 blocks G1->G2"),
                Args.Spec.value("--curve-secret", "FILE", "the leader's CURVE certificate (public and secret key): encrypt"),
                Args.Spec.flag("--allow-non-loopback", "allow binding a non-loopback address (logs a warning)"));
    }

    @Override
    public int run(Args args, PrintStream out) {
        ZmqOptions.Endpoints defaults = ZmqOptions.endpoints(System.getenv(), args.integer("--dp-rank", 0, 0, 32767));
        int workers = args.integer("--workers", null, 1, 4096);
        Map<String, String> options = new HashMap<>();
        args.string("--curve-secret").ifPresent(f -> options.put(ZmqOptions.CURVE_SERVER_SECRET_FILE, f));
        if (args.flag("--allow-non-loopback")) {
            options.put(ZmqOptions.ALLOW_NON_LOOPBACK, "true");
        }
        LeaderSettings settings = LeaderSettings.fromEnvironment(System.getenv());
        settings = settings.withSizing(sizing(args, settings.sizing()));
        TransportConfig config = new TransportConfig(args.string("--pub").orElse(defaults.publish()),
                args.string("--ack").orElse(defaults.ack()), workers, settings.initTimeout(), options);
        Leader leader = Leader.start(config, settings, ProviderRegistry.load());
        try {
            ClusterReady r = leader.awaitReady(settings.initTimeout().plusSeconds(5));
            if (args.flag("--json")) {
                Json j = new Json(out).beginObject().field("ready", true).field("numDeviceBlocks", r.numDeviceBlocks())
                        .field("bytesPerBlock", r.bytesPerBlock()).field("numHostBlocks", r.numHostBlocks())
                        .field("numDiskBlocks", r.numDiskBlocks()).name("handshakeMillis").value(r.handshakeTime().toNanos() / 1e6);
                int probe = args.integer("--probe", 0, 0, 1_000_000);
                if (probe > 0) {
                    double[] p = probe(leader, r, probe);
                    j.name("transferP50Micros").value(p[0]).name("transferP99Micros").value(p[1])
                            .name("pingP50Micros").value(p[2]).name("pingP99Micros").value(p[3]);
                }
                j.endObject().end();
            } else {
                out.printf("leader ready: %d worker(s) on %s / %s; G1 %,d blocks, %,d bytes per block (all workers), "
                                + "G2 %,d blocks, G3 %,d blocks; handshake %.0f ms%n", workers, leader.publishEndpoint(),
                        leader.ackEndpoint(), r.numDeviceBlocks(), r.bytesPerBlock(), r.numHostBlocks(), r.numDiskBlocks(),
                        r.handshakeTime().toNanos() / 1e6);
                int probe = args.integer("--probe", 0, 0, 1_000_000);
                if (probe > 0) {
                    double[] p = probe(leader, r, probe);
                    out.printf("transfer_blocks of 16 blocks G1->G2, %d round trips: p50 %.0f us, p99 %.0f us "
                            + "(ping: p50 %.0f us, p99 %.0f us)%n", probe, p[0], p[1], p[2], p[3]);
                }
            }
            out.flush();
            if (!args.flag("--exit-after-handshake")) {
                CountDownLatch forever = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(leader::close));
                forever.await();
            }
            return Cli.OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Cli.FAILED;
        } finally {
            leader.close();
        }
    }

    /**
     * p50 and p99 in microseconds of {@code n} round trips of 16-block G1->G2 transfers (after 10% warm-up), then
     * of {@code n} pings (the transport alone).
     */
    private static double[] probe(Leader leader, ClusterReady r, int n) {
        int blocks = (int) Math.min(16, Math.min(r.numDeviceBlocks(), r.numHostBlocks()));
        if (blocks < 16) {
            throw new UsageException("--probe needs at least 16 G1 and G2 blocks (G1 " + r.numDeviceBlocks() + ", G2 "
                    + r.numHostBlocks() + ")");
        }
        List<BlockPair> pairs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            pairs.add(new BlockPair(i, i));
        }
        for (int i = 0; i < Math.max(1, n / 10); i++) {
            leader.move(Tier.G1, Tier.G2, pairs).join();
        }
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            leader.move(Tier.G1, Tier.G2, pairs).join();
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        long[] pings = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            leader.call("ping", List.of(), Duration.ofSeconds(10)).join();
            pings[i] = System.nanoTime() - t0;
        }
        Arrays.sort(pings);
        return new double[] {percentile(nanos, 0.50), percentile(nanos, 0.99), percentile(pings, 0.50), percentile(pings, 0.99)};
    }

    private static double percentile(long[] sorted, double q) {
        return sorted[(int) Math.ceil(q * sorted.length) - 1] / 1e3;
    }

    static Sizing sizing(Args args, Sizing env) {
        long g2Blocks = env.hostBlocks();
        double g2Gb = env.hostGb();
        long g3Blocks = env.diskBlocks();
        double g3Gb = env.diskGb();
        if (args.string("--g2-blocks").isPresent() && args.string("--g2-gb").isPresent()) {
            throw new UsageException("--g2-blocks and --g2-gb exclude each other");
        }
        if (args.string("--g3-blocks").isPresent() && args.string("--g3-gb").isPresent()) {
            throw new UsageException("--g3-blocks and --g3-gb exclude each other");
        }
        if (args.string("--g2-blocks").isPresent()) {
            g2Blocks = args.integer("--g2-blocks", null, 0, Integer.MAX_VALUE);
            g2Gb = 0;
        }
        if (args.string("--g2-gb").isPresent()) {
            g2Gb = gb("--g2-gb", args.string("--g2-gb").get());
            g2Blocks = 0;
        }
        if (args.string("--g3-blocks").isPresent()) {
            g3Blocks = args.integer("--g3-blocks", null, 0, Integer.MAX_VALUE);
            g3Gb = 0;
        }
        if (args.string("--g3-gb").isPresent()) {
            g3Gb = gb("--g3-gb", args.string("--g3-gb").get());
            g3Blocks = 0;
        }
        return new Sizing(g2Blocks, g2Gb, g3Blocks, g3Gb);
    }

    private static double gb(String option, String text) {
        try {
            double v = Double.parseDouble(text);
            if (v >= 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new UsageException(option + " must be a number of decimal GB >= 0 (got '" + text + "')");
    }
}
