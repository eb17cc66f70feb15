package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.offload.TierHealth;
import dev.kvbm.core.replay.TraceRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis Cluster on loopback, 3 masters with one replica each: a master killed mid-replay degrades G4
 * during the failover, the replay finishes with correct bytes, and G4 comes back once the replica is
 * promoted; a fresh manager then finds the blocks on the cluster, keys spread over all masters.
 */
class RedisClusterFailoverTest {
    @TempDir
    Path dir;

    static String cli(int port, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(RedisServers.binary("redis-cli").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    static boolean clusterOk(int port) throws IOException, InterruptedException {
        return cli(port, "cluster", "info").contains("cluster_state:ok");
    }

    static void awaitOk(List<Integer> ports, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (int p : ports) {
                ok &= clusterOk(p);
            }
            if (ok) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the cluster did not reach cluster_state:ok within " + limit);
    }

    static void awaitReplicasInSync(List<Integer> ports, List<Integer> masters, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        for (int p : ports) {
            if (masters.contains(p)) {
                continue;
            }
            while (!cli(p, "info", "replication").contains("master_link_status:up")) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("replica " + p + " did not sync within " + limit);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Ports of masters that serve slots, from CLUSTER NODES as seen by {@code port}. */
    static List<Integer> masters(int port) throws Exception {
        List<Integer> masters = new ArrayList<>();
        for (String line : cli(port, "cluster", "nodes").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail")) {
                masters.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@'))));
            }
        }
        return masters;
    }

    @Test
    void aMasterKilledMidReplayDegradesG4UntilItsReplicaTakesOver() throws Exception {
        RedisServers.assumeInstalled();
        assumeTrue(RedisServers.binary("redis-cli") != null, "redis-cli is not installed (it comes with redis-server)");
        List<RedisServers.Server> nodes = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                int port = RedisServers.freeClusterPort();
                RedisServers.Server node = new RedisServers.Server(port, dir.resolve("node" + i), List.of(
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                        "--cluster-node-timeout", "1000",
                        // A starved CI machine may delay replication: a replica fails over whatever its data age.
                        "--cluster-replica-validity-factor", "0"));
                node.start();
                nodes.add(node);
                ports.add(port);
            }
            List<String> create = new ArrayList<>(List.of("--cluster", "create"));
            ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            String created = cli(ports.getFirst(), create.toArray(String[]::new));
            assertTrue(created.contains("All 16384 slots covered"), created);
            awaitOk(ports, Duration.ofSeconds(30));
            List<Integer> masters = masters(ports.getFirst());
            assertEquals(3, masters.size(), "3 masters");
            awaitReplicasInSync(ports, masters, Duration.ofSeconds(30));

            String uri = "redis-cluster://127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1) + ",127.0.0.1:"
                    + ports.get(2);
            List<TraceRequest> trace = CheckedReplay.trace(41);
            int half = trace.size() / 2;
            TierHealth health = new TierHealth(1, Duration.ofMillis(300), System::nanoTime);
            try (KvBlockManager a = CheckedReplay.manager(uri, 40, 64, health)) {
                CheckedReplay.run(a, trace.subList(0, half));
                StringBuilder seen = new StringBuilder(a.remote().orElseThrow().storeStats().toString());
                for (int p : ports) {
                    seen.append(" ").append(p).append("=").append(cli(p, "dbsize").trim());
                }
                for (int m : masters) {
                    long keys = Long.parseLong(cli(m, "dbsize").trim());
                    assertTrue(keys > 0, "keys spread over every master (no hash tags): " + m + " holds " + keys + "; " + seen);
                }
                int victim = masters.get(1);
                nodes.get(ports.indexOf(victim)).kill();
                CheckedReplay.run(a, trace.subList(half, trace.size())); // every served block's bytes are checked
                // Keep serving until the failover is over and G4 has been probed back.
                List<Integer> alive = new ArrayList<>(ports);
                alive.remove(Integer.valueOf(victim));
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                long id = 7_000_000;
                while (System.nanoTime() < deadline && !(health.state(Tier.G4).degradations() > 0
                        && health.state(Tier.G4).restorations() > 0 && !health.state(Tier.G4).degraded()
                        && clusterOk(alive.getFirst()))) {
                    CheckedReplay.run(a, List.of(new TraceRequest(0, 0, 0, new long[] {id++, id++})));
                    Thread.sleep(50);
                }
                TierHealth.State state = health.state(Tier.G4);
                assertTrue(state.degradations() > 0, "the failover degraded G4: " + state);
                assertTrue(state.restorations() > 0 && !state.degraded(), "G4 came back after the failover: " + state
                        + "; cluster as seen by " + alive.getFirst() + ":\n" + cli(alive.getFirst(), "cluster", "nodes")
                        + cli(alive.getFirst(), "cluster", "info"));
                assertEquals(3, masters(alive.getFirst()).size(), "the replica was promoted");
                long before = a.remote().orElseThrow().storeStats().puts();
                CheckedReplay.run(a, List.of(new TraceRequest(0, 0, 0, new long[] {8_000_001, 8_000_002, 8_000_003})));
                assertTrue(a.remote().orElseThrow().storeStats().puts() >= before + 3, "writes go through again");
            }
            try (KvBlockManager b = CheckedReplay.manager(uri, 40, 64, null)) {
                Map<Tier, Long> hits = CheckedReplay.run(b, trace);
                assertTrue(hits.get(Tier.G4) > CheckedReplay.distinctBlocks(trace) / 2,
                        "most blocks survive the failover (replication is asynchronous): " + hits);
                assertEquals(0, b.remote().orElseThrow().storeStats().checksumFailures());
            }
        } finally {
            for (RedisServers.Server n : nodes) {
                n.close();
            }
        }
    }
}
