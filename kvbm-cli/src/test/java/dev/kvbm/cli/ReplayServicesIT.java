package dev.kvbm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvbm.cli.KvbmLauncherIT.Run;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a replay serves beside its report, through the launcher: G4 on a real Redis, the metrics endpoint. */
class ReplayServicesIT {
    static final String[] SMALL = {"replay", "--block-bytes", "65536", "--g1-blocks", "64", "--requests", "30", "--json"};

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Path onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, binary);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** With G2 and G3 off every block reaches G4; a second process replaying the same trace finds them all. */
    @Test
    void aSecondProcessFindsEveryBlockTheFirstOffloadedToRedis(@TempDir Path dir) throws Exception {
        Path redis = onPath("redis-server");
        assumeTrue(redis != null, "no redis-server on the PATH (apt-get install redis-server)");
        int port = freePort();
        Process server = new ProcessBuilder(redis.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            String uri = "redis://127.0.0.1:" + port;
            Run first = null;
            for (int attempt = 0; attempt < 50; attempt++) { // the server needs a moment to listen
                first = KvbmLauncherIT.kvbm(Map.of(), with(SMALL, "--g2-blocks", "0", "--g4", uri));
                if (first.code() == 0 && first.out().contains("\"g4Failed\":0}")) {
                    break; // G4 was reachable: nothing failed
                }
                Thread.sleep(100);
            }
            assertEquals(0, first.code(), first.err());
            Map<String, Object> a = EngineReplayIT.flat(first.out().strip());
            assertTrue(EngineReplayIT.number(a, "offloadSkips.g4Written") > 0, a.toString());
            Run second = KvbmLauncherIT.kvbm(Map.of(), with(SMALL, "--g2-blocks", "0", "--g4", uri));
            assertEquals(0, second.code(), second.err());
            Map<String, Object> b = EngineReplayIT.flat(second.out().strip());
            long blocks = EngineReplayIT.number(b, "blocks");
            assertEquals(blocks, EngineReplayIT.number(b, "hits.g1") + EngineReplayIT.number(b, "hits.g4"),
                    "every block is served, from G1 or from the G4 the first process filled");
            assertTrue(EngineReplayIT.number(b, "hits.g4") > 0);
            assertEquals(0, EngineReplayIT.number(b, "checksumFailures"));
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Process A prefills a prompt on llama.cpp and offloads it to a shared Redis; process B, with empty local
     * tiers, restores it from G4 and its logits equal a full recompute (so A's) bit for bit.
     */
    @Test
    void anEngineInAnotherProcessRestoresAPromptFromRedisWithExactLogits(@TempDir Path dir) throws Exception {
        Path redis = onPath("redis-server");
        assumeTrue(redis != null, "no redis-server on the PATH (apt-get install redis-server)");
        EngineReplayIT.assumeConnector("llama.cpp");
        Path trace = dir.resolve("one.jsonl");
        Files.writeString(trace, EngineReplayIT.traceLine(java.util.stream.LongStream.range(0, 32).toArray()));
        int port = freePort();
        Process server = new ProcessBuilder(redis.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            String[] args = {"replay", "--engine", "llama.cpp", "--trace", trace.toString(), "--g2-blocks", "0",
                "--g4", "redis://127.0.0.1:" + port, "--json"};
            Run a = null;
            for (int attempt = 0; attempt < 50; attempt++) {
                a = KvbmLauncherIT.kvbm(Map.of(), args);
                if (a.code() == 0 && a.out().contains("\"g4Written\":32")) {
                    break; // the server was up: every block reached G4
                }
                Thread.sleep(100);
            }
            assertEquals(0, a.code(), a.err());
            assertTrue(a.out().contains("\"g4Written\":32"), a.out());
            Run b = KvbmLauncherIT.kvbm(Map.of(), args);
            assertEquals(0, b.code(), b.err());
            Map<String, Object> m = EngineReplayIT.flat(b.out().strip());
            assertEquals(31, EngineReplayIT.number(m, "hits.g4"), "all but the last block (computed anyway) from G4");
            assertEquals(0, EngineReplayIT.number(m, "hits.g1"));
            assertEquals(1, EngineReplayIT.number(m, "verified"));
            assertEquals(0, EngineReplayIT.number(m, "logitMismatches"));
            assertEquals(0, EngineReplayIT.number(m, "checksumFailures"));
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The metrics endpoint stays up for --serve-after, and its counters equal the report's figures. */
    @Test
    void theMetricsAfterTheReportEqualTheReport() throws Exception {
        List<String> command = new ArrayList<>(List.of(KvbmLauncherIT.ROOT.resolve("kvbm").toString()));
        command.addAll(List.of(with(SMALL, "--g2-blocks", "128", "--metrics-port", "0", "--serve-after", "20")));
        ProcessBuilder pb = new ProcessBuilder(command).directory(KvbmLauncherIT.ROOT.toFile());
        pb.environment().put("KVBM_NO_BUILD", "1");
        Process p = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String where = err.readLine(); // "kvbm replay: metrics at http://127.0.0.1:PORT/metrics"
            assertTrue(where != null && where.contains("/metrics"), String.valueOf(where));
            String url = where.substring(where.indexOf("http://"));
            String report = out.readLine();
            assertTrue(report != null, "no report");
            Map<String, Object> r = EngineReplayIT.flat(report);
            String scrape = get(url);
            assertEquals(EngineReplayIT.number(r, "blocks"), value(scrape, "kvbm_requested_blocks_total"));
            assertEquals(EngineReplayIT.number(r, "hits.g1"), value(scrape, "kvbm_hit_blocks_total{tier=\"g1\"}"));
            assertEquals(EngineReplayIT.number(r, "hits.g2"), value(scrape, "kvbm_hit_blocks_total{tier=\"g2\"}"));
            assertEquals(EngineReplayIT.number(r, "transferBlocks.G1->G2"), value(scrape, "kvbm_offload_blocks_d2h"));
        } finally {
            p.destroy();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        }
    }

    static String get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        try (var in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    static long value(String scrape, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(scrape);
        assertTrue(m.find(), series + " not in the scrape");
        return (long) Double.parseDouble(m.group(1));
    }
}
