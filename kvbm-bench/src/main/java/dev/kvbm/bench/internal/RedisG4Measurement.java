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
                Cpu putCpu;
                Cpu getCpu;
                try (RemoteBlockStore store = provider.open(new RemoteStoreConfig(URI.create(redis.uri()), ns,
                        Duration.ofSeconds(30), Map.of("redis.connections", Integer.toString(s.connections()))))) {
                    Cpu start = Cpu.now(redis);
                    p = phase(store, g2, blockBytes, blocks, window, true);
                    Cpu between = Cpu.now(redis);
                    g = phase(store, back, blockBytes, blocks, window, false);
                    putCpu = between.minus(start);
                    getCpu = Cpu.now(redis).minus(between);
                    if (store.stats().puts() != blocks || store.stats().hits() != blocks) {
                        throw new KvbmException(ErrorCode.INVALID_STATE, "not every block round-tripped through G4: "
                                + store.stats());
                    }
                }
                if (g2.mismatch(back) != -1) {
                    throw new KvbmException(ErrorCode.INVALID_STATE, "G4 served bytes that differ from those written, "
                            + "first at offset " + g2.mismatch(back));
                }
                // The references move distinct values, as G4 does: SET writes fresh keys (a random key of 10^9), GET
                // reads keys written before (random over as many keys as there are blocks, all but a few present).
                redis.command("FLUSHALL");
                Cpu start = Cpu.now(redis);
                double refSet = redisBenchmark(benchmark, "set", 1_000_000_000, redis.port, blockBytes, blocks, s.pipeline(),
                        s.connections());
                Cpu setCpu = Cpu.now(redis).minus(start);
                redis.command("FLUSHALL");
                redisBenchmark(benchmark, "set", blocks, redis.port, blockBytes, 4 * blocks, s.pipeline(), s.connections());
                double present = Long.parseLong(redis.command("DBSIZE").substring(1)) / (double) blocks;
                start = Cpu.now(redis);
                // A missing key's GET answers a few bytes: only the present share of replies moved a value.
                double refGetNow = present * redisBenchmark(benchmark, "get", blocks, redis.port, blockBytes, blocks,
                        s.pipeline(), s.connections());
                Cpu refGetCpu = Cpu.now(redis).minus(start);
                double[] ref = {refSet, refGetNow};
                double gb = blocks * blockBytes / 1e9;
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
                // Where the time goes: CPU per GB of the client (kvbm's JVM, or redis-benchmark) and of redis-server.
                log.printf(Locale.ROOT, "  CPU ms/GB client/server: G2->G4 %s vs SET %s, G4->G2 %s vs GET %s%n",
                        putCpu.perGb(gb, true), setCpu.perGb(gb, false), getCpu.perGb(gb, true), refGetCpu.perGb(gb, false));
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
     * Requests per second of redis-benchmark's {@code test} (set or get) over random keys of {@code keyspace}, times
     * the value size: GB/s when every reply moved a value.
     */
    static double redisBenchmark(Path benchmark, String test, int keyspace, int port, long blockBytes, int requests,
                                 int pipeline, int connections) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(benchmark.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-t", test, "-r", Integer.toString(keyspace), "-d", Long.toString(blockBytes), "-n", Integer.toString(requests),
                "-P", Integer.toString(pipeline), "-c", Integer.toString(connections), "--csv")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("redis-benchmark did not finish within 5 minutes");
        }
        for (String line : out.split("\n")) {
            String[] f = line.replace("\"", "").split(",");
            if (f.length > 1 && f[0].equalsIgnoreCase(test)) {
                return Double.parseDouble(f[1]) * blockBytes / 1e9;
            }
        }
        throw new IOException("unexpected redis-benchmark output: " + out.strip());
    }

    /**
     * CPU used so far by this JVM, by its finished children (redis-benchmark, from /proc/self/stat) and by the
     * server, in nanoseconds; zeros where the platform does not tell.
     */
    private record Cpu(long jvm, long children, long server) {
        static Cpu now(LoopbackRedis redis) {
            long jvm = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
            long children = 0;
            try {
                String stat = Files.readString(Path.of("/proc/self/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                children = (Long.parseLong(f[13]) + Long.parseLong(f[14])) * 10_000_000L; // cutime + cstime, 100 Hz
            } catch (IOException | RuntimeException e) {
                // not Linux: no children's figure
            }
            return new Cpu(jvm, children, redis.cpuNanos());
        }

        Cpu minus(Cpu o) {
            return new Cpu(jvm - o.jvm, children - o.children, server - o.server);
        }

        String perGb(double gb, boolean jvmIsClient) {
            return String.format(Locale.ROOT, "%.0f/%.0f", (jvmIsClient ? jvm : children) / 1e6 / gb, server / 1e6 / gb);
        }
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
