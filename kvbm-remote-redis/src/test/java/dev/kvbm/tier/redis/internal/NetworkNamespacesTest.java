package dev.kvbm.tier.redis.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.replay.TraceRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two "hosts" in network namespaces of their own share a Redis in a third, over veth links (10.77.1.0/24 and
 * 10.77.2.0/24), not loopback: host A computes a trace, host B with empty local tiers serves every block of it from
 * G4, byte-exact. Skipped, saying why, where network namespaces or veth links cannot be made (no CAP_SYS_ADMIN or
 * CAP_NET_ADMIN, no iproute2).
 */
class NetworkNamespacesTest {
    private static final String REDIS_A = "10.77.1.1";
    private static final String REDIS_B = "10.77.2.1";
    private static final int PORT = 6379; // the namespace's own

    @TempDir
    Path dir;

    /** Host B: serves the trace of {@code args[1]} from G4 at {@code args[0]}; prints hits per tier and its writes. */
    public static void main(String[] args) {
        try (KvBlockManager m = CheckedReplay.manager(args[0], 40, 64, null)) {
            List<TraceRequest> trace = CheckedReplay.trace(Long.parseLong(args[1]));
            Map<Tier, Long> hits = CheckedReplay.run(m, trace); // every served block's bytes are checked
            System.out.println("blocks=" + trace.stream().mapToLong(TraceRequest::blocks).sum() + " hits="
                    + hits.values().stream().mapToLong(Long::longValue).sum() + " g4=" + hits.get(Tier.G4) + " written="
                    + m.remote().orElseThrow().storeStats().puts());
        }
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    private static String ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static List<String> in(String ns, List<String> cmd) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        out.addAll(cmd);
        return out;
    }

    @Test
    void twoHostsInNetworkNamespacesShareOneRedisOverVeth() throws Exception {
        RedisServers.assumeInstalled();
        assumeTrue(RedisServers.binary("ip") != null, "iproute2 (ip) is not installed: no network namespaces");
        String tag = Long.toString(ProcessHandle.current().pid() % 100_000);
        String nsRedis = "kvbm-r" + tag;
        String nsA = "kvbm-a" + tag;
        String nsB = "kvbm-b" + tag;
        List<String> made = new ArrayList<>();
        Process redis = null;
        try {
            try {
                ip("netns", "add", nsRedis);
            } catch (IOException e) {
                assumeTrue(false, "network namespaces cannot be made here (ip netns add needs CAP_SYS_ADMIN): "
                        + e.getMessage());
            }
            made.add(nsRedis);
            for (String ns : List.of(nsA, nsB)) {
                ip("netns", "add", ns);
                made.add(ns);
            }
            try {
                link(nsA, "va" + tag, "ra" + tag, nsRedis, "10.77.1.2/24", REDIS_A + "/24");
                link(nsB, "vb" + tag, "rb" + tag, nsRedis, "10.77.2.2/24", REDIS_B + "/24");
            } catch (IOException e) {
                assumeTrue(false, "veth links cannot be made here (no veth driver or no CAP_NET_ADMIN): " + e.getMessage());
            }
            for (String ns : made) {
                ip("-n", ns, "link", "set", "lo", "up");
            }
            redis = new ProcessBuilder(in(nsRedis, List.of(RedisServers.binary("redis-server").toString(), "--port",
                    Integer.toString(PORT), "--bind", REDIS_A, REDIS_B, "--save", "", "--appendonly", "no", "--dir",
                    dir.toString(), "--protected-mode", "no"))).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
            awaitPong(nsA, REDIS_A);

            long seed = 53;
            List<TraceRequest> trace = CheckedReplay.trace(seed);
            String a = run(in(nsA, TwoProcessesTest.javaCommand(TwoProcessesTest.class, "redis://" + REDIS_A + ":" + PORT,
                    Long.toString(seed))));
            assertTrue(a.contains("written=" + CheckedReplay.distinctBlocks(trace)), "host A wrote every block: " + a);
            long before = rxBytes(nsB, "vb" + tag);
            String b = run(in(nsB, TwoProcessesTest.javaCommand(NetworkNamespacesTest.class,
                    "redis://" + REDIS_B + ":" + PORT, Long.toString(seed))));
            long blocks = trace.stream().mapToLong(TraceRequest::blocks).sum();
            assertTrue(b.contains("blocks=" + blocks + " hits=" + blocks + " "), "host B: hits = blocks: " + b);
            assertTrue(b.contains(" written=0"), "host B computed nothing: " + b);
            long received = rxBytes(nsB, "vb" + tag) - before;
            long g4Bytes = CheckedReplay.distinctBlocks(trace) * CheckedReplay.GEOMETRY.blockDataBytes();
            assertTrue(received >= g4Bytes, "host B's blocks came over its veth link: " + received + " bytes received, "
                    + g4Bytes + " bytes of blocks");
        } finally {
            if (redis != null) {
                redis.destroyForcibly(); // ip netns exec execs redis-server: this is its process
                redis.waitFor(10, TimeUnit.SECONDS);
            }
            for (String ns : made) {
                try {
                    ip("netns", "del", ns); // takes its end of every veth pair, and so the pair, with it
                } catch (IOException e) {
                    System.err.println("could not delete network namespace " + ns + ": " + e.getMessage());
                }
            }
        }
    }

    /** A veth pair from {@code host} to {@code redisNs}, addressed at both ends and up. */
    private static void link(String host, String hostEnd, String redisEnd, String redisNs, String hostAddress,
                             String redisAddress) throws Exception {
        ip("link", "add", hostEnd, "netns", host, "type", "veth", "peer", "name", redisEnd, "netns", redisNs);
        ip("-n", host, "addr", "add", hostAddress, "dev", hostEnd);
        ip("-n", redisNs, "addr", "add", redisAddress, "dev", redisEnd);
        ip("-n", host, "link", "set", hostEnd, "up");
        ip("-n", redisNs, "link", "set", redisEnd, "up");
    }

    private static void awaitPong(String ns, String host) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = run(in(ns, List.of(RedisServers.binary("redis-cli").toString(), "-h", host, "-p",
                        Integer.toString(PORT), "ping")));
                if (last.contains("PONG")) {
                    return;
                }
            } catch (IOException e) {
                last = e.getMessage();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("redis-server in its namespace did not answer over the veth link: " + last);
    }

    private static long rxBytes(String ns, String dev) throws Exception {
        return Long.parseLong(ip("-n", ns, "-s", "link", "show", dev).lines().dropWhile(l -> !l.strip().startsWith("RX:"))
                .skip(1).findFirst().orElseThrow().strip().split("\\s+")[0]);
    }
}
