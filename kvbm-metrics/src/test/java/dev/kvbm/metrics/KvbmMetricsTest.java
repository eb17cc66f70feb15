package dev.kvbm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.Tier;
import dev.kvbm.api.layout.LayoutConfig;
import dev.kvbm.core.manager.KvBlockManager;
import dev.kvbm.core.replay.ReplayReport;
import dev.kvbm.core.replay.Replayer;
import dev.kvbm.core.replay.WorkloadGenerator;
import java.io.IOException;
import java.net.URI;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KvbmMetricsTest {
    static final LayoutConfig GEOMETRY = LayoutConfig.builder().numBlocks(1).numLayers(2).outerDim(2).pageSize(16)
            .innerDim(64).build();

    static KvBlockManager manager() {
        return KvBlockManager.builder().geometry(GEOMETRY).tierBlocks(Tier.G1, 64).tierBlocks(Tier.G2, 128)
                .tierProvider(Tier.G1, "host-system").tierProvider(Tier.G2, "host-system").build();
    }

    static String get(int port) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/metrics").toURL()
                .openConnection();
        try {
            assertEquals(200, c.getResponseCode());
            assertTrue(c.getContentType().startsWith("text/plain"), c.getContentType());
            try (var in = c.getInputStream()) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        } finally {
            c.disconnect();
        }
    }

    @Test
    void everyMetricExistsFromTheStartAndTheCountersMatchTheReplayReport() throws Exception {
        try (KvBlockManager m = manager(); MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            KvbmMetrics.bind(m, endpoint.registry());
            Scrape before = Scrape.parse(get(endpoint.port()));
            for (String name : List.of("kvbm_requested_blocks_total", "kvbm_requested_tokens_total",
                    "kvbm_hit_blocks_total", "kvbm_hit_tokens_total", "kvbm_transfer_bytes_total",
                    "kvbm_transfer_seconds_bucket", "kvbm_transfer_seconds_count", "kvbm_transfer_failures_total",
                    "kvbm_checksum_failures_total", "kvbm_offload_skipped_total", "kvbm_evictions_total",
                    "kvbm_pool_blocks", "kvbm_tier_degraded", "kvbm_matched_tokens", "kvbm_offload_blocks_d2h",
                    "kvbm_offload_blocks_h2d", "kvbm_offload_blocks_d2d", "kvbm_onboard_blocks_h2d",
                    "kvbm_onboard_blocks_d2d", "kvbm_host_cache_hit_rate", "kvbm_disk_cache_hit_rate")) {
                assertTrue(before.names().contains(name), name + " is registered before any request");
            }
            assertEquals(0, before.value("kvbm_hit_blocks_total", "tier", "g4"));
            assertEquals(0, before.value("kvbm_transfer_bytes_total", "path", "g2_g3"));

            ReplayReport report = Replayer.run(m, WorkloadGenerator.generate(
                    new WorkloadGenerator.Shape(10, 6, 2, 4, 4), 3, 16), null);
            Scrape after = Scrape.parse(get(endpoint.port()));
            assertEquals((double) report.blocks(), after.value("kvbm_requested_blocks_total"));
            assertEquals((double) report.blocks() * 16, after.value("kvbm_requested_tokens_total"));
            double hits = 0;
            for (Tier t : Tier.values()) {
                double v = after.value("kvbm_hit_blocks_total", "tier", KvbmMetrics.label(t));
                assertEquals((double) report.hits().getOrDefault(t, 0L), v, t + " hits");
                hits += v;
            }
            assertTrue(hits > 0 && hits <= after.value("kvbm_requested_blocks_total"), "hits add up: " + hits);
            assertEquals((double) report.pathBytes().get("G1->G2"), after.value("kvbm_transfer_bytes_total", "path", "g1_g2"));
            assertEquals((double) report.pathBlocks().get("G1->G2"), after.value("kvbm_offload_blocks_d2h"));
            assertEquals((double) report.pathBlocks().get("G2->G1"), after.value("kvbm_onboard_blocks_h2d"));
            assertTrue(after.value("kvbm_transfer_seconds_count", "path", "g1_g2") > 0, "each transfer is timed");
            assertEquals(report.hits().get(Tier.G2) / (double) report.blocks(), after.value("kvbm_host_cache_hit_rate"),
                    1e-12);
            assertEquals(hits * 16, after.value("kvbm_matched_tokens"));
            assertEquals(64.0, after.value("kvbm_pool_blocks", "state", "free", "tier", "g1")
                    + after.value("kvbm_pool_blocks", "state", "inactive", "tier", "g1")
                    + after.value("kvbm_pool_blocks", "state", "active", "tier", "g1")
                    + after.value("kvbm_pool_blocks", "state", "in_flight", "tier", "g1"));
            assertTrue(after.value("kvbm_evictions_total", "tier", "g1") > 0);
        }
    }

    /** Every expression of the Grafana dashboard names only metrics kvbm exports. */
    @Test
    void theDashboardNamesOnlyExportedMetrics() throws Exception {
        Path dashboard = Path.of("src/main/resources/dev/kvbm/metrics/grafana-dashboard.json");
        String json = Files.readString(dashboard);
        Set<String> exported;
        try (KvBlockManager m = manager(); MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            KvbmMetrics.bind(m, endpoint.registry());
            exported = Scrape.parse(endpoint.scrape()).names();
        }
        Matcher expr = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        Set<String> used = new TreeSet<>();
        int expressions = 0;
        while (expr.find()) {
            expressions++;
            Matcher name = Pattern.compile("kvbm_[a-z0-9_]+").matcher(expr.group(1));
            boolean any = false;
            while (name.find()) {
                used.add(name.group());
                any = true;
            }
            assertTrue(any, "expression names no kvbm metric: " + expr.group(1));
        }
        assertTrue(expressions >= 6, "the dashboard has panels (" + expressions + " expressions)");
        for (String n : used) {
            assertTrue(exported.contains(n), "the dashboard uses " + n + ", which kvbm does not export; exported: "
                    + exported);
        }
    }
}
