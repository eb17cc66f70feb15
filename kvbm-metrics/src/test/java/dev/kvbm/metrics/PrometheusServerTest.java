package dev.kvbm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.replay.ReplayReport;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.replay.WorkloadGenerator;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's {@code prometheus}, which .ci/run installs) scrapes a running kvbm and
 * its HTTP query API returns the report's figures. Skipped when no prometheus binary is on the PATH.
 */
class PrometheusServerTest {

    static Path prometheusBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "prometheus");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String http(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(2_000);
        c.setReadTimeout(5_000);
        try (var in = c.getResponseCode() == 200 ? c.getInputStream() : c.getErrorStream()) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    @Test
    void prometheusScrapesKvbmAndItsQueryApiReturnsTheReportsHits(@TempDir Path dir) throws Exception {
        Path binary = prometheusBinary();
        Assumptions.assumeTrue(binary != null, "no prometheus binary on the PATH (apt-get install prometheus)");
        try (KvBlockManager m = KvbmMetricsTest.manager(); MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            KvbmMetrics.bind(m, endpoint.registry());
            ReplayReport report = Replayer.run(m, WorkloadGenerator.generate(
                    new WorkloadGenerator.Shape(8, 5, 2, 4, 4), 5, 16), null);
            long expected = report.hits().values().stream().mapToLong(Long::longValue).sum();
            int webPort = freePort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: kvbm
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(endpoint.port()));
            Process server = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + webPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                String query = "http://127.0.0.1:" + webPort + "/api/v1/query?query="
                        + URLEncoder.encode("sum(kvbm_hit_blocks_total)", StandardCharsets.UTF_8);
                Pattern value = Pattern.compile("\"value\":\\[[0-9.]+,\"([0-9.e+]+)\"\\]");
                String answer = "";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline) {
                    try {
                        answer = http(query);
                        Matcher v = value.matcher(answer);
                        if (v.find()) {
                            assertEquals(expected, (long) Double.parseDouble(v.group(1)),
                                    "Prometheus' kvbm_hit_blocks_total vs the report");
                            String g1 = http("http://127.0.0.1:" + webPort + "/api/v1/query?query="
                                    + URLEncoder.encode("kvbm_hit_blocks_total{tier=\"g1\"}", StandardCharsets.UTF_8));
                            Matcher v1 = value.matcher(g1);
                            assertTrue(v1.find(), g1);
                            assertEquals((long) report.hits().get(Tier.G1), (long) Double.parseDouble(v1.group(1)));
                            return;
                        }
                    } catch (IOException notUpYet) {
                        // the server is still starting
                    }
                    Thread.sleep(250);
                }
                throw new AssertionError("Prometheus never returned kvbm_hit_blocks_total; last answer: " + answer
                        + "\nlog:\n" + Files.readString(dir.resolve("prometheus.log")));
            } finally {
                server.destroy();
                if (!server.waitFor(10, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            }
        }
    }
}
