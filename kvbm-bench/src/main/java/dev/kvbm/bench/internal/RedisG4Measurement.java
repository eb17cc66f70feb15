package dev.kvbm.bench.internal;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.spi.BlockNamespace;
import dev.kvbm.api.spi.RemoteBlockStore;
import dev.kvbm.api.spi.RemoteStoreConfig;
import dev.kvbm.api.spi.RemoteTierProvider;
import dev.kvbm.bench.BenchOptions;
import dev.kvbm.bench.Metric;
import dev.kvbm.core.providers.ProviderRegistry;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * G2 -&gt; G4 (write-once {@code SET NX} from host memory) and G4 -&gt; G2 (checked {@code GET} into host memory) on
 * Redis in GB/s, next to {@code redis-benchmark} SET/GET of the same value size, pipeline depth and connection count
 * against the same loopback redis-server in the same run. Measured beside JMH (the reference is a C program and the
 * server a process of its own); skipped, saying why, without redis-server or redis-benchmark or without the Redis
 * G4 provider. Every block read back is compared with what was written.
 */
public final class RedisG4Measurement {
    /** The name {@code --filter} matches. */
    public static final String NAME = "G4Redis";
    private static final String WHAT = "g4-redis (G2<->G4 on Redis vs redis-benchmark)";

    /**
     * What to measure.
     *
     * @param blockKiB     block (value) sizes
     * @param phaseBytes   bytes moved per direction and repetition
     * @param pipeline     commands in flight per connection (redis-benchmark -P)
     * @param connections  connections (redis-benchmark -c; the store's {@code redis.connections})
     * @param repetitions  reported repetitions, after one unreported warm-up
     */
    public record Settings(List<Integer> blockKiB, long phaseBytes, int pipeline, int connections, int repetitions) {
        /** 256 KiB and 2 MiB blocks, 8 x 4 in flight, 3 repetitions of 512 MiB (256 MiB unless {@code FULL}). */
        public static Settings of(BenchOptions.Mode mode) {
            return new Settings(List.of(256, 2048), mode == BenchOptions.Mode.FULL ? 512L << 20 : 256L << 20, 8, 4, 3);
        }
    }

    private RedisG4Measurement() {
    }

    /** The metrics ({@code g4-redis} group), or none with the reason in {@code skipped}; {@code path} is a PATH. */
    public static List<Metric> measure(Settings s, String path, PrintStream log, List<ExternalReferences.Skipped> skipped) {
        Optional<Path> server = onPath(path, "redis-server");
        Optional<Path> benchmark = onPath(path, "redis-benchmark");
        if (server.isEmpty() || benchmark.isEmpty()) {
            skipped.add(new ExternalReferences.Skipped(WHAT, (server.isEmpty() ? "redis-server" : "redis-benchmark")
                    + " is not installed (apt-get install redis-server redis-tools)"));
            return List.of();
        }
        RemoteTierProvider provider;
        try {
            provider = ProviderRegistry.load().remoteTier(URI.create("redis://127.0.0.1"));
        } catch (KvbmException e) {
            skipped.add(new ExternalReferences.Skipped(WHAT, e.getMessage()));
            return List.of();
        }
        List<Metric> metrics = new ArrayList<>();
        try (LoopbackRedis redis = LoopbackRedis.start(server.get())) {
            for (int kib : s.blockKiB()) {
                metrics.addAll(measureBlockSize(s, kib, provider, redis, benchmark.get(), log));
            }
        } catch (IOException e) {
            skipped.add(new ExternalReferences.Skipped(WHAT, "redis-server could not be started: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            skipped.add(new ExternalReferences.Skipped(WHAT, "interrupted"));
        }
        return metrics;
    }

    private static List<Metric> measureBlockSize(Settings s, int kib, RemoteTierProvider provider, LoopbackRedis redis,
                                                 Path benchmark, PrintStream log) throws IOException, InterruptedException {
        long blockBytes = kib * 1024L;
        int blocks = Math.toIntExact(Math.max(1, s.phaseBytes() / blockBytes));
        int window = s.pipeline() * s.connections();
        double[] put = new double[s.repetitions()];
        double[] get = new double[s.repetitions()];
        double[] set = new double[s.repetitions()];
        double[] refGet = new double[s.repetitions()];
        BlockNamespace ns = new BlockNamespace("kvbm-bench", 0xBE7C4, 0, blockBytes);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment g2 = arena.allocate(blockBytes * blocks, 4096);
            MemorySegment back = arena.allocate(blockBytes * blocks, 4096);
            for (long off = 0; off < g2.byteSize(); off += 8) {
                g2.set(ValueLayout.JAVA_LONG_UNALIGNED, off, off * 0x9E3779B97F4A7C15L);
            }
            for (int rep = -1; rep < s.repetitions(); rep++) { // repetition -1 warms the JIT up, unreported
                redis.command("FLUSHALL");
                back.fill((byte) 0);
                double p;
                double g;
                try (RemoteBlockStore store = provider.open(new RemoteStoreConfig(URI.create(redis.uri()), ns,
                        Duration.ofSeconds(30), Map.of("redis.connections", Integer.toString(s.connections()))))) {
                    p = phase(store, g2, blockBytes, blocks, window, true);
                    g = phase(store, back, blockBytes, blocks, window, false);
                    if (store.stats().puts() != blocks || store.stats().hits() != blocks) {
                        throw new KvbmException(ErrorCode.INVALID_STATE, "not every block round-tripped through G4: "
                                + store.stats());
                    }
                }
                if (g2.mismatch(back) != -1) {
                    throw new KvbmException(ErrorCode.INVALID_STATE, "G4 served bytes that differ from those written, "
                            + "first at offset " + g2.mismatch(back));
                }
                redis.command("FLUSHALL");
                double[] ref = redisBenchmark(benchmark, redis.port, blockBytes, blocks, s.pipeline(), s.connections());
                if (rep < 0) {
                    continue;
                }
                put[rep] = p;
                get[rep] = g;
                set[rep] = ref[0];
                refGet[rep] = ref[1];
                log.printf(Locale.ROOT, "g4-redis %d KiB -P %d -c %d rep %d: G2->G4 %.2f GB/s (redis-benchmark SET %.2f, "
                        + "ratio %.2f)  G4->G2 %.2f GB/s (redis-benchmark GET %.2f, ratio %.2f)%n", kib, s.pipeline(),
                        s.connections(), rep + 1, p, ref[0], p / ref[0], g, ref[1], g / ref[1]);
            }
        }
        redis.command("FLUSHALL");
        String shape = kib + "KiB/P" + s.pipeline() + "xC" + s.connections();
        return List.of(
                Metric.of("g4-redis/put/" + shape, "g4-redis", kib, "G2->G4 vs redis-benchmark SET", mean(put),
                        halfWidth(put), "GB/s", mean(set), halfWidth(set), true),
                Metric.of("g4-redis/get/" + shape, "g4-redis", kib, "G4->G2 vs redis-benchmark GET", mean(get),
                        halfWidth(get), "GB/s", mean(refGet), halfWidth(refGet), true));
    }

    /** GB/s of moving every block with {@code window} operations in flight. */
    private static double phase(RemoteBlockStore store, MemorySegment region, long blockBytes, int blocks, int window,
                                boolean put) throws InterruptedException {
        Semaphore inFlight = new Semaphore(window);
        List<CompletableFuture<Boolean>> all = new ArrayList<>(blocks);
        long start = System.nanoTime();
        for (int b = 0; b < blocks; b++) {
            inFlight.acquire();
            List<MemorySegment> block = List.of(region.asSlice(b * blockBytes, blockBytes));
            CompletableFuture<Boolean> f = put ? store.putIfAbsent(b, block) : store.get(b, block);
            f.whenComplete((v, e) -> inFlight.release());
            all.add(f);
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "G4 " + (put ? "PUT" : "GET") + " phase failed: " + e, e);
        }
        return blocks * blockBytes / ((System.nanoTime() - start) / 1e9) / 1e9;
    }

    /**
     * {SET, GET} GB/s of redis-benchmark with the same value size, requests, pipeline and connections. One key (no
     * {@code -r}): every GET returns the whole value, as every G4 hit does (random keys would count misses, nil
     * replies of a few bytes, as values).
     */
    static double[] redisBenchmark(Path benchmark, int port, long blockBytes, int requests, int pipeline, int connections)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(benchmark.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-t", "set,get", "-d", Long.toString(blockBytes), "-n", Integer.toString(requests),
                "-P", Integer.toString(pipeline), "-c", Integer.toString(connections), "--csv")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("redis-benchmark did not finish within 5 minutes");
        }
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
            throw new IOException("unexpected redis-benchmark output: " + out.strip());
        }
        return new double[] {set, get};
    }

    static double mean(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        return sum / v.length;
    }

    /** Half-width of the 95% confidence interval of the mean (Student's t); NaN for a single repetition. */
    static double halfWidth(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        double[] t95 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262};
        double t = v.length - 2 < t95.length ? t95[v.length - 2] : 1.96;
        return t * Math.sqrt(ss / (v.length - 1)) / Math.sqrt(v.length);
    }

    private static Optional<Path> onPath(String path, String program) {
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        return Optional.empty();
    }
}
