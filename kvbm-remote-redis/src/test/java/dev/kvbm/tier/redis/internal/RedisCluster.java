package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster on loopback: 3 masters with one replica each ({@code redis-cli --cluster create
 * --cluster-replicas 1}), each node a redis-server on a free port in its own directory under {@code dir}, with a
 * short node timeout so that a failover takes seconds. {@link #close()} kills every node, also after a failed start;
 * without redis-server or redis-cli the calling test is skipped, naming why.
 */
final class RedisCluster implements AutoCloseable {
    private static final int NODES = 6;
    final List<RedisServers.Server> nodes = new ArrayList<>();
    final List<Integer> ports = new ArrayList<>();

    private RedisCluster() {
    }

    static void assumeInstalled() {
        RedisServers.assumeInstalled();
        assumeTrue(RedisServers.binary("redis-cli") != null,
                "redis-cli is not installed (apt-get install redis-tools): it creates the Redis Cluster");
    }

    /** Starts and forms the cluster; every replica has synced with its master when it returns. */
    static RedisCluster start(Path dir) throws Exception {
        assumeInstalled();
        RedisCluster cluster = new RedisCluster();
        try {
            for (int i = 0; i < NODES; i++) {
                int port = RedisServers.freeClusterPort();
                RedisServers.Server node = new RedisServers.Server(port, dir.resolve("node" + i), List.of(
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                        "--cluster-node-timeout", "1000",
                        // A starved CI machine may delay replication: a replica fails over whatever its data age.
                        "--cluster-replica-validity-factor", "0"));
                cluster.nodes.add(node);
                cluster.ports.add(port);
                node.start();
            }
            List<String> create = new ArrayList<>(List.of("--cluster", "create"));
            cluster.ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            String created = cli(cluster.ports.getFirst(), create.toArray(String[]::new));
            if (!created.contains("All 16384 slots covered")) {
                throw new AssertionError("redis-cli --cluster create failed:\n" + created);
            }
            cluster.awaitOk(cluster.ports, Duration.ofSeconds(30));
            List<Integer> masters = masters(cluster.ports.getFirst());
            if (masters.size() != 3) {
                throw new AssertionError("3 masters expected, CLUSTER NODES shows " + masters);
            }
            cluster.awaitReplicasInSync(masters, Duration.ofSeconds(30));
            return cluster;
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code redis-cluster://} with the first three nodes as seeds. */
    String uri() {
        return "redis-cluster://127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1) + ",127.0.0.1:" + ports.get(2);
    }

    RedisServers.Server node(int port) {
        return nodes.get(ports.indexOf(port));
    }

    /** Runs redis-cli against the node on {@code port}; its output (stdout and stderr). */
    static String cli(int port, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(RedisServers.binary("redis-cli").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    static boolean clusterOk(int port) throws IOException, InterruptedException {
        return cli(port, "cluster", "info").contains("cluster_state:ok");
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

    void awaitOk(List<Integer> nodePorts, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (int p : nodePorts) {
                ok &= clusterOk(p);
            }
            if (ok) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the cluster did not reach cluster_state:ok within " + limit);
    }

    private void awaitReplicasInSync(List<Integer> masters, Duration limit) throws Exception {
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

    @Override
    public void close() throws InterruptedException {
        for (RedisServers.Server n : nodes) {
            n.close();
        }
    }
}
