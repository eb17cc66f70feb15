package dev.kvbm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.TransportConfig;
import dev.kvbm.api.spi.WorkerReply;
import dev.kvbm.cli.KvbmLauncherIT.Run;
import dev.kvbm.core.cluster.Leader;
import dev.kvbm.core.cluster.LeaderSettings;
import dev.kvbm.core.cluster.Sizing;
import dev.kvbm.core.providers.ProviderRegistry;
import dev.kvbm.core.remote.RemoteBlockIo;
import dev.kvbm.core.remote.RemoteTierConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/**
 * The leader and its workers as first-class processes: metrics on each ({@code kvbm leader}/{@code kvbm worker
 * --metrics-port}), KV events and metrics of {@code kvbm replay --workers}, G4 through the workers on a real Redis,
 * a worker's allocation error on the leader, and the exit status of a replay that lost a worker.
 */
class ClusterServicesIT {
    private static final Pattern METRICS_URL = Pattern.compile("metrics at (http://\\S+/metrics)");
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process start(Path out, Path err, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(KvbmLauncherIT.ROOT.resolve("kvbm").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(KvbmLauncherIT.ROOT.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("KVBM_NO_BUILD", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** The first line of {@code file} that {@code pattern} finds, waiting for it while {@code p} runs. */
    private static Matcher await(Path file, Pattern pattern, Process p, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            Matcher m = pattern.matcher(Files.exists(file) ? Files.readString(file) : "");
            if (m.find()) {
                return m;
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + pattern + " in " + file + " within " + seconds + " s (alive: " + p.isAlive()
                + "): " + (Files.exists(file) ? Files.readString(file) : ""));
    }

    private static String[] with(String[] base, String... more) {
        return ReplayServicesIT.with(base, more);
    }

    /**
     * A leader and two workers, each with --metrics-port: the probe's transfers are counted on the leader (whole
     * blocks) and on each worker (its shard), and every metric is there, 0 where it does not apply.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aLeaderAndItsWorkersServeMetricsThatAddUp(@TempDir Path dir) throws Exception {
        String pub = "tcp://127.0.0.1:" + ReplayServicesIT.freePort();
        String ack = "tcp://127.0.0.1:" + ReplayServicesIT.freePort();
        int[] inner = {64, 32};
        List<Process> workers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            workers.add(start(dir.resolve("w" + i + ".out"), dir.resolve("w" + i + ".err"), Map.of(), "worker",
                    "--leader-pub", pub, "--leader-ack", ack, "--device-blocks", "32", "--layers", "2", "--outer", "2",
                    "--page", "8", "--inner", String.valueOf(inner[i]), "--metrics-port", "0",
                    "--parent-pid", String.valueOf(ProcessHandle.current().pid())));
        }
        String events = "tcp://127.0.0.1:" + ReplayServicesIT.freePort();
        String replay = "tcp://127.0.0.1:" + ReplayServicesIT.freePort();
        Process leader = start(dir.resolve("l.out"), dir.resolve("l.err"), Map.of(), "leader", "--workers", "2",
                "--pub", pub, "--ack", ack, "--g2-blocks", "32", "--probe", "20", "--json", "--metrics-port", "0",
                "--events", events, "--events-replay", replay);
        String report = await(dir.resolve("l.out"), Pattern.compile("\\{.*}"), leader, 180).group();
        Map<String, Object> r = EngineReplayIT.flat(report);
        long transfers = EngineReplayIT.number(r, "probeTransfers");
        assertEquals(22, transfers, "20 round trips after 2 warm-up transfers");
        long bytesPerBlock = EngineReplayIT.number(r, "bytesPerBlock");
        String leaderScrape = ReplayServicesIT.get(await(dir.resolve("l.err"), METRICS_URL, leader, 30).group(1));
        assertEquals(transfers * 16 * bytesPerBlock, ReplayServicesIT.value(leaderScrape,
                "kvbm_transfer_bytes_total{path=\"g1_g2\"}"));
        assertEquals(transfers * 16, ReplayServicesIT.value(leaderScrape, "kvbm_offload_blocks_d2h"));
        assertEquals(32, ReplayServicesIT.value(leaderScrape, "kvbm_pool_blocks{state=\"free\",tier=\"g2\"}"),
                "the leader's logical G2");
        long summed = 0;
        for (int i = 0; i < 2; i++) {
            String scrape = ReplayServicesIT.get(await(dir.resolve("w" + i + ".err"), METRICS_URL, workers.get(i), 30)
                    .group(1));
            long shardBytes = 2L * 2 * 8 * inner[i] * 2;
            long bytes = ReplayServicesIT.value(scrape, "kvbm_transfer_bytes_total{path=\"g1_g2\"}");
            assertEquals(transfers * 16 * shardBytes, bytes, "worker " + i + " moved its shard of every block");
            assertEquals(transfers, ReplayServicesIT.value(scrape, "kvbm_transfer_seconds_count{path=\"g1_g2\"}"));
            assertEquals(0, ReplayServicesIT.value(scrape, "kvbm_transfer_failures_total{path=\"g1_g2\"}"));
            assertEquals(0, ReplayServicesIT.value(scrape, "kvbm_tier_degraded{tier=\"g2\"}"));
            assertEquals(0, ReplayServicesIT.value(scrape, "kvbm_requested_blocks_total"), "requests are the leader's");
            assertTrue(scrape.contains("kvbm_transfer_bytes_total{path=\"g2_g4\"} 0"), "every path from the start");
            assertTrue(scrape.contains("kvbm_offload_skipped_total{reason=\"targetFull\"} 0"), scrape);
            summed += bytes;
        }
        assertEquals(ReplayServicesIT.value(leaderScrape, "kvbm_transfer_bytes_total{path=\"g1_g2\"}"), summed,
                "the shards add up to the leader's blocks");
        // The leader serves its pools' events; a probe moves bytes but registers no block, so there are none.
        try {
            assertEquals(0, EventReplayClient.replayed(replay).size());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the leader's stderr: " + Files.readString(dir.resolve("l.err")), e);
        }
    }

    /**
     * A replay through 2 workers publishes lossless KV events from its leader: a subscriber that joins after the
     * report rebuilds each tier's set from the replay endpoint, and it has exactly {@code tiers.*.registered}
     * blocks; the metrics, scraped after the report, equal it.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aReplayThroughWorkersPublishesLosslessEventsAndItsMetricsEqualTheReport(@TempDir Path dir) throws Exception {
        String events = "tcp://127.0.0.1:" + ReplayServicesIT.freePort();
        String replay = "tcp://127.0.0.1:" + ReplayServicesIT.freePort();
        Process p = start(dir.resolve("out"), dir.resolve("err"), Map.of(), with(ReplayServicesIT.SMALL, "--workers",
                "2", "--g2-blocks", "128", "--events", events, "--events-replay", replay, "--metrics-port", "0",
                "--serve-after", "60"));
        String report = await(dir.resolve("out"), Pattern.compile("\\{.*}"), p, 180).group();
        Map<String, Object> r = EngineReplayIT.flat(report);
        String scrape = ReplayServicesIT.get(await(dir.resolve("err"), METRICS_URL, p, 10).group(1));
        assertEquals(EngineReplayIT.number(r, "blocks"), ReplayServicesIT.value(scrape, "kvbm_requested_blocks_total"));
        assertEquals(EngineReplayIT.number(r, "hits.g1"), ReplayServicesIT.value(scrape, "kvbm_hit_blocks_total{tier=\"g1\"}"));
        assertEquals(EngineReplayIT.number(r, "hits.g2"), ReplayServicesIT.value(scrape, "kvbm_hit_blocks_total{tier=\"g2\"}"));
        assertTrue(EngineReplayIT.number(r, "hits.g2") > 0, report);
        assertEquals(EngineReplayIT.number(r, "transferBlocks.G1->G2"), ReplayServicesIT.value(scrape, "kvbm_offload_blocks_d2h"));
        assertEquals(EngineReplayIT.number(r, "bytes.G1->G2"), ReplayServicesIT.value(scrape,
                "kvbm_transfer_bytes_total{path=\"g1_g2\"}"));

        Map<String, Set<Long>> sets = new TreeMap<>();
        List<byte[]> batches = EventReplayClient.replayed(replay);
        for (byte[] payload : batches) {
            apply(payload, sets);
        }
        assertEquals(EngineReplayIT.number(r, "events.published"), batches.size(), "every published batch was replayable");
        assertEquals(0, EngineReplayIT.number(r, "events.dropped"));
        assertEquals(EngineReplayIT.number(r, "tiers.g1.registered"), sets.getOrDefault("GPU", Set.of()).size());
        assertEquals(EngineReplayIT.number(r, "tiers.g2.registered"), sets.getOrDefault("CPU", Set.of()).size());
        assertTrue(sets.get("CPU").size() > 0);
    }

    /** Applies one KVEventBatch (data_parallel_rank 0: the leader's) to the per-medium sets. */
    private static void apply(byte[] payload, Map<String, Set<Long>> sets) throws IOException {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(payload)) {
            Map<String, Value> batch = EventReplayClient.map(u.unpackValue());
            assertEquals(0, batch.get("data_parallel_rank").asIntegerValue().asLong(), "the leader's data-parallel rank");
            for (Value v : batch.get("events").asArrayValue()) {
                Map<String, Value> e = EventReplayClient.map(v);
                String type = e.get("type").asStringValue().asString();
                if (type.equals("AllBlocksCleared")) {
                    sets.values().forEach(Set::clear);
                    continue;
                }
                Set<Long> set = sets.computeIfAbsent(e.get("medium").asStringValue().asString(), k -> new HashSet<>());
                for (Value h : e.get("block_hashes").asArrayValue()) {
                    long hash = h.asIntegerValue().asBigInteger().longValue();
                    if (type.equals("BlockStored")) {
                        assertTrue(set.add(hash), "stored twice");
                    } else {
                        assertTrue(set.remove(hash), "removed unknown");
                    }
                }
            }
        }
    }

    /** Item 16 of issue 15: the same replay locally and through 2 workers moves the same bytes on every path. */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void workersReportTheLocalReplaysBytesAndSayTheirChecksCannotRunHere() throws Exception {
        String[] common = {"replay", "--block-bytes", "65536", "--g1-blocks", "64", "--g2-blocks", "128", "--requests",
            "30", "--no-progress"};
        Run local = KvbmLauncherIT.kvbm(Map.of(), with(common, "--json"));
        Run two = KvbmLauncherIT.kvbm(Map.of(), with(common, "--json", "--workers", "2"));
        assertEquals(0, local.code(), local.err());
        assertEquals(0, two.code(), two.err());
        Map<String, Object> a = EngineReplayIT.flat(local.out().strip());
        Map<String, Object> b = EngineReplayIT.flat(two.out().strip());
        for (String key : List.of("bytes.G1->G2", "bytes.G2->G1", "transferBlocks.G1->G2", "hits.g2", "blockBytes")) {
            assertEquals(EngineReplayIT.number(a, key), EngineReplayIT.number(b, key), key);
        }
        Run text = KvbmLauncherIT.kvbm(Map.of(), with(common, "--workers", "2"));
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("integrity: not checked: the bytes are on the worker processes"), text.out());
        assertFalse(text.out().contains("0 verified"), text.out());
    }

    /** Item 5 of issue 15: a worker that cannot allocate G2 tells the leader why, and the leader prints it. */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void theLeaderPrintsAWorkersAllocationError(@TempDir Path dir) throws Exception {
        String pub = "tcp://127.0.0.1:" + ReplayServicesIT.freePort();
        String ack = "tcp://127.0.0.1:" + ReplayServicesIT.freePort();
        start(dir.resolve("w.out"), dir.resolve("w.err"), Map.of(), "worker", "--leader-pub", pub, "--leader-ack", ack,
                "--device-blocks", "8", "--layers", "1", "--outer", "1", "--page", "1", "--inner", "2048",
                "--parent-pid", String.valueOf(ProcessHandle.current().pid()));
        Run leader = KvbmLauncherIT.kvbm(Map.of("DYN_KVBM_LEADER_WORKER_INIT_TIMEOUT_SECS", "60"), "leader",
                "--workers", "1", "--pub", pub, "--ack", ack, "--g2-blocks", "2147483647", "--exit-after-handshake");
        assertEquals(1, leader.code(), leader.out() + leader.err());
        assertTrue(leader.err().contains("allocation failed"), leader.err());
        assertTrue(leader.err().contains("2147483647"), leader.err());
        assertFalse(leader.err().contains("Timed out waiting for ping readiness"), leader.err());
    }

    /** Item 17 of issue 15: a replay whose worker was killed finishes with exit status 4 and says so. */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aReplayThatLostAWorkerExitsWithItsOwnStatus(@TempDir Path dir) throws Exception {
        Process p = start(dir.resolve("out"), dir.resolve("err"), Map.of(), "replay", "--workers", "1", "--block-bytes", "4096", "--g1-blocks", "600", "--g2-blocks", "4096",
                "--no-progress");
        ProcessHandle worker = null;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (worker == null && System.nanoTime() < end && p.isAlive()) {
            worker = p.descendants().filter(h -> h.info().arguments().map(a -> List.of(a).contains("worker"))
                    .orElse(false)).findFirst().orElse(null);
            Thread.sleep(20);
        }
        assertTrue(worker != null, "the worker process was started");
        Thread.sleep(2500); // the handshake is done and the replay under way

        assumeTrue(p.isAlive(), "the replay finished before its worker could be killed");
        worker.destroyForcibly();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the replay finishes without its worker");
        String err = Files.readString(dir.resolve("err"));
        assertEquals(4, p.exitValue(), err);
        assertTrue(err.contains("the replay lost a worker"), err);
    }

    /**
     * G4 through the workers on a real Redis: a leader's put and get move each worker's shard byte-exactly under
     * keys of its own, presence needs every shard, and a replay through workers shares G4 with a second one.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void workersMoveTheirShardsThroughRedisByteExactly(@TempDir Path dir) throws Exception {
        Path redis = ReplayServicesIT.onPath("redis-server");
        assumeTrue(redis != null, "no redis-server on the PATH (apt-get install redis-server)");
        int port = ReplayServicesIT.freePort();
        Process server = new ProcessBuilder(redis.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        started.add(server);
        String uri = "redis://127.0.0.1:" + port;
        LeaderSettings settings = new LeaderSettings(Duration.ofSeconds(90), Duration.ofSeconds(5),
                Duration.ofMillis(500), new Sizing(16, 0, 0, 0));
        Leader leader = Leader.start(new TransportConfig("tcp://127.0.0.1:*", "tcp://localhost:*", 2,
                settings.initTimeout(), Map.of()), settings, ProviderRegistry.load());
        try {
            int[] inner = {64, 32};
            for (int i = 0; i < 2; i++) {
                start(dir.resolve("w" + i + ".out"), dir.resolve("w" + i + ".err"), Map.of(), "worker",
                        "--leader-pub", leader.publishEndpoint(), "--leader-ack", leader.ackEndpoint(),
                        "--device-blocks", "16", "--layers", "2", "--outer", "2", "--page", "8",
                        "--inner", String.valueOf(inner[i]), "--g4", uri, "--shard-index", String.valueOf(i),
                        "--parent-pid", String.valueOf(ProcessHandle.current().pid()));
            }
            leader.awaitReady(Duration.ofSeconds(100));
            RemoteBlockIo io = null;
            for (int attempt = 0; attempt < 50 && io == null; attempt++) { // the server needs a moment to listen
                try {
                    io = leader.remote(RemoteTierConfig.of(URI.create(uri), "kvbm"), Tier.G2, Tier.G2).orElseThrow();
                } catch (RuntimeException e) {
                    Thread.sleep(100);
                }
            }
            assertTrue(io != null, "every worker has G4");
            leader.call("kvbm_fill", List.of("{\"pool\":\"Device\",\"blocks\":[0,1,2],\"seed\":5}"
                    .getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(10)).join();
            Map<String, List<Long>> source = ZmqWorkersIT.checksums(leader, "Device", "[0,1,2]");
            leader.move(Tier.G1, Tier.G2, List.of(new BlockPair(0, 0), new BlockPair(1, 1), new BlockPair(2, 2))).join();
            long[] hashes = {0xF000_0000_0000_0011L, 12, 13};
            assertEquals(List.of(true, true, true), results(io.put(hashes, new int[] {0, 1, 2})));
            assertEquals(List.of(false, false, false), results(io.put(hashes, new int[] {0, 1, 2})), "write-once");
            assertEquals(List.of(true, true, true), results(io.get(hashes, new int[] {7, 8, 9})));
            Map<String, List<Long>> read = ZmqWorkersIT.checksums(leader, "Host", "[7,8,9]");
            assertEquals(source, read, "each worker read back its own shard");
            for (List<Long> sums : read.values()) {
                assertNotEquals(sums.get(0), sums.get(1));
            }
            boolean[] present = io.contains(new long[] {12, 99}).get(10, TimeUnit.SECONDS);
            assertTrue(present[0]);
            assertFalse(present[1]);
            assertEquals(6, dbSize(port), "one key per block and shard");
        } finally {
            leader.close();
        }

        String[] args = with(ReplayServicesIT.SMALL, "--workers", "2", "--g2-blocks", "1024", "--g4", uri);
        Run first = KvbmLauncherIT.kvbm(Map.of(), args);
        assertEquals(0, first.code(), first.err());
        Map<String, Object> a = EngineReplayIT.flat(first.out().strip());
        long written = EngineReplayIT.number(a, "offloadSkips.g4Written");
        assertTrue(written > 0, a.toString());
        assertEquals(0, EngineReplayIT.number(a, "offloadSkips.g4Failed"));
        assertEquals(6 + 2 * written, dbSize(port), "each worker wrote its shard of every block");
        Run second = KvbmLauncherIT.kvbm(Map.of(), args);
        assertEquals(0, second.code(), second.err());
        Map<String, Object> b = EngineReplayIT.flat(second.out().strip());
        assertTrue(EngineReplayIT.number(b, "hits.g4") > 0, b.toString());
        assertEquals(EngineReplayIT.number(b, "blocks"), EngineReplayIT.number(b, "hits.g1")
                + EngineReplayIT.number(b, "hits.g2") + EngineReplayIT.number(b, "hits.g4"),
                "every block is served, the ones the first replay computed from G4");
        assertEquals(0, EngineReplayIT.number(b, "checksumFailures"));
    }

    private static List<Boolean> results(List<CompletableFuture<Boolean>> futures) throws Exception {
        List<Boolean> r = new ArrayList<>();
        for (CompletableFuture<Boolean> f : futures) {
            r.add(f.get(10, TimeUnit.SECONDS));
        }
        return r;
    }

    /** Keys in the server, through redis-cli when it is there, else a RESP DBSIZE on a plain socket. */
    private static long dbSize(int port) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write("*1\r\n$6\r\nDBSIZE\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            assertTrue(line != null && line.startsWith(":"), String.valueOf(line));
            return Long.parseLong(line.substring(1));
        }
    }
}
