package dev.kvbm.tier.redis.internal;

import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreConfig;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway harness (not a test): G2 -> G4 (write-once SET NX from host memory) and G4 -> G2 (checked GET
 * into host memory) in GB/s, next to {@code redis-benchmark -t set,get} of the same value size, pipeline
 * depth and connection count, against a fresh redis-server in the same run. Run by
 * {@code kvbm-remote-redis/src/bench/g4-vs-redis-benchmark.sh}.
 *
 * <p>Arguments: block bytes, total bytes per phase, pipeline depth per connection, connections, repetitions.
 */
public final class G4Throughput {
    private G4Throughput() {
    }

    public static void main(String[] args) throws Exception {
        long blockBytes = Long.parseLong(args[0]);
        long total = Long.parseLong(args[1]);
        int pipeline = Integer.parseInt(args[2]);
        int connections = Integer.parseInt(args[3]);
        int reps = Integer.parseInt(args[4]);
        int blocks = (int) (total / blockBytes);
        Path dir = Files.createTempDirectory("kvbm-g4-bench");
        System.out.printf("block=%d KiB blocks=%d pipeline=%d connections=%d%n", blockBytes / 1024, blocks, pipeline,
                connections);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment g2 = arena.allocate(blockBytes * blocks, 4096);
            for (long off = 0; off < g2.byteSize(); off += 8) {
                g2.set(ValueLayout.JAVA_LONG_UNALIGNED, off, off * 0x9E3779B97F4A7C15L);
            }
            for (int rep = 0; rep <= reps; rep++) { // repetition 0 warms the JIT up and is not reported
                try (RedisServers.Server server = new RedisServers.Server(RedisServers.freePort(), dir.resolve("r" + rep),
                        List.of())) {
                    server.start();
                    BlockNamespace ns = new BlockNamespace("bench", 1, 0, blockBytes);
                    try (RemoteBlockStore store = new RedisTierProvider().open(new RemoteStoreConfig(
                            URI.create(server.uri()), ns, Duration.ofSeconds(30),
                            Map.of(RedisBlockStore.OPTION_CONNECTIONS, Integer.toString(connections))))) {
                        double put = phase(store, g2, blockBytes, blocks, pipeline * connections, true);
                        double get = phase(store, g2, blockBytes, blocks, pipeline * connections, false);
                        if (store.stats().hits() != blocks || store.stats().puts() != blocks) {
                            throw new IllegalStateException("not every block round-tripped: " + store.stats());
                        }
                        server.command("FLUSHALL");
                        if (rep == 0) {
                            continue;
                        }
                        double[] ref = redisBenchmark(server.port, blockBytes, blocks, pipeline, connections);
                        System.out.printf("rep %d: G2->G4 %.2f GB/s (redis-benchmark SET %.2f, ratio %.2f)  "
                                + "G4->G2 %.2f GB/s (redis-benchmark GET %.2f, ratio %.2f)%n", rep, put, ref[0],
                                put / ref[0], get, ref[1], get / ref[1]);
                    }
                }
            }
        }
    }

    /** GB/s of moving every block with {@code window} operations in flight. */
    static double phase(RemoteBlockStore store, MemorySegment g2, long blockBytes, int blocks, int window, boolean put)
            throws Exception {
        Semaphore inFlight = new Semaphore(window);
        List<CompletableFuture<Boolean>> all = new ArrayList<>(blocks);
        long start = System.nanoTime();
        for (int b = 0; b < blocks; b++) {
            inFlight.acquire();
            List<MemorySegment> block = List.of(g2.asSlice(b * blockBytes, blockBytes));
            CompletableFuture<Boolean> f = put ? store.putIfAbsent(b, block) : store.get(b, block);
            f.whenComplete((v, e) -> inFlight.release());
            all.add(f);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        return blocks * blockBytes / seconds / 1e9;
    }

    /** {SET, GET} GB/s of redis-benchmark with the same value size, requests, pipeline and connections. */
    static double[] redisBenchmark(int port, long blockBytes, int blocks, int pipeline, int connections)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(RedisServers.binary("redis-benchmark").toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-t", "set,get", "-d", Long.toString(blockBytes), "-n", Integer.toString(blocks),
                "-P", Integer.toString(pipeline), "-c", Integer.toString(connections), "-r", Integer.toString(blocks),
                "--csv").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        double set = 0;
        double get = 0;
        for (String line : out.split("\n")) {
            String[] f = line.replace("\"", "").split(",");
            if (f.length > 1 && (f[0].equals("SET") || f[0].equals("GET"))) {
                double gbps = Double.parseDouble(f[1]) * blockBytes / 1e9;
                if (f[0].equals("SET")) {
                    set = gbps;
                } else {
                    get = gbps;
                }
            }
        }
        if (set == 0 || get == 0) {
            throw new IllegalStateException("unexpected redis-benchmark output:\n" + out);
        }
        return new double[] {set, get};
    }
}
