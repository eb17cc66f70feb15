package dev.kvbm.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.KvbmException;
import dev.kvbm.api.config.EnvironmentVariables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {

    @Test
    void jsonReportHasEveryDocumentedKey() {
        CliTest.Result r = CliTest.run("replay", "--requests", "60", "--g1-blocks", "256", "--g2-blocks", "400",
                "--block-bytes", "4096", "--seed", "3", "--integrity", "always", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = JsonReports.object(r.out());
        for (String key : List.of("requests", "blocks", "hits", "hitRate", "maxHitRate", "bytes", "gbps",
                "checksumFailures", "wallSeconds", "memcpyReferenceGbps")) {
            assertTrue(j.containsKey(key), key + " missing: " + r.out());
        }
        assertEquals(60L, j.get("requests"));
        Map<?, ?> hits = (Map<?, ?>) j.get("hits");
        assertEquals(List.of("g1", "g2", "g3", "g4"), List.copyOf(hits.keySet()));
        assertEquals(0L, hits.get("g3"));
        double hitRate = ((Number) j.get("hitRate")).doubleValue();
        double max = ((Number) j.get("maxHitRate")).doubleValue();
        assertTrue(hitRate > 0 && hitRate <= max + 1e-12, hitRate + " vs " + max);
        long blocks = (Long) j.get("blocks");
        long totalHits = (Long) hits.get("g1") + (Long) hits.get("g2");
        assertEquals(hitRate, totalHits / (double) blocks, 1e-9);
        assertEquals(0L, j.get("checksumFailures"));
        Map<?, ?> bytes = (Map<?, ?>) j.get("bytes");
        assertEquals((Long) hits.get("g2") * 4096, bytes.get("G2->G1"), "every G2 hit was copied to G1");
        assertTrue(((Number) j.get("memcpyReferenceGbps")).doubleValue() > 0);
    }

    @Test
    void aDiskTierServesHitsThroughItsFile(@TempDir Path dir) {
        // The disk tier reads DYN_KVBM_DISK_CACHE_DIR from a system property too; keep its file under the test's dir.
        System.setProperty("DYN_KVBM_DISK_CACHE_DIR", dir.toString());
        try {
            CliTest.Result r = CliTest.run("replay", "--requests", "120", "--g1-blocks", "200", "--g2-blocks", "150",
                    "--g3-blocks", "3000", "--block-bytes", "8192", "--seed", "5", "--integrity", "always", "--json");
            assertEquals(0, r.code(), r.err());
            Map<String, Object> j = JsonReports.object(r.out());
            Map<?, ?> hits = (Map<?, ?>) j.get("hits");
            Map<?, ?> bytes = (Map<?, ?>) j.get("bytes");
            Map<?, ?> tiers = (Map<?, ?>) j.get("tiers");
            assertEquals("disk", ((Map<?, ?>) tiers.get("g3")).get("provider"));
            assertTrue((Long) hits.get("g3") > 0, r.out());
            assertEquals((Long) hits.get("g3") * 8192, bytes.get("G3->G1"), "every G3 hit was read from the file");
            assertTrue((Long) bytes.get("G2->G3") > 0, r.out());
            assertEquals(0L, j.get("checksumFailures"));
            assertTrue((Long) ((Map<?, ?>) j.get("offloadSkips")).get("filtered") > 0, "the frequency filter is on");
            assertEquals(0L, ((Map<?, ?>) j.get("offloadSkips")).get("tierDegraded"));
        } finally {
            System.clearProperty("DYN_KVBM_DISK_CACHE_DIR");
        }
        assertTrue(dir.toFile().list().length == 0, "the cache file was unlinked");
    }

    @Test
    void g3SizeComesFromDynamosVariablesWhenNoOptionGivesIt() {
        assertEquals(0, ReplayPreflight.diskBlocksFromEnvironment(env(Map.of()), 1000));
        assertEquals(2000, ReplayPreflight.diskBlocksFromEnvironment(env(Map.of("DYN_KVBM_DISK_CACHE_GB", "0.002")), 1000));
        assertEquals(7, ReplayPreflight.diskBlocksFromEnvironment(env(Map.of("DYN_KVBM_DISK_CACHE_GB", "0.002",
                "DYN_KVBM_DISK_CACHE_OVERRIDE_NUM_BLOCKS", "7")), 1000), "an explicit count wins");
        KvbmException e = org.junit.jupiter.api.Assertions.assertThrows(KvbmException.class,
                () -> ReplayPreflight.diskBlocksFromEnvironment(env(Map.of("DYN_KVBM_DISK_CACHE_GB", "lots")), 1000));
        assertTrue(e.getMessage().contains("DYN_KVBM_DISK_CACHE_GB"), e.getMessage());
        assertEquals(java.util.Optional.of("DYN_KVBM_DISK_CACHE_GB"), e.field());
    }

    @Test
    void optionsWinOverTheVariablesAndG2ReadsDynamosCpuVariables() {
        EnvironmentVariables env = env(Map.of("DYN_KVBM_CPU_CACHE_GB", "0.004", "DYN_KVBM_DISK_CACHE_GB", "junk"));
        assertEquals(4000, ReplayPreflight.tierBlocks(null, "--g2-blocks", null, "--g2-gb", env,
                "DYN_KVBM_CPU_CACHE_OVERRIDE_NUM_BLOCKS", "DYN_KVBM_CPU_CACHE_GB", 16384, 1000));
        assertEquals(3, ReplayPreflight.tierBlocks(3, "--g3-blocks", null, "--g3-gb", env,
                "DYN_KVBM_DISK_CACHE_OVERRIDE_NUM_BLOCKS", "DYN_KVBM_DISK_CACHE_GB", 0, 1000), "never reads the junk");
        assertEquals(16384, ReplayPreflight.tierBlocks(null, "--g2-blocks", null, "--g2-gb", env(Map.of()),
                "DYN_KVBM_CPU_CACHE_OVERRIDE_NUM_BLOCKS", "DYN_KVBM_CPU_CACHE_GB", 16384, 1000));
    }

    static EnvironmentVariables env(Map<String, String> vars) {
        return EnvironmentVariables.of(vars);
    }

    @Test
    void aG3LargerThanTheFileSystemIsRefusedBeforeWriting() {
        CliTest.Result r = CliTest.run("replay", "--requests", "5", "--g3-gb", "100000", "--g2-blocks", "100");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().startsWith("kvbm replay: --g3-gb: ") && r.err().contains("GB free"), r.err());
        assertTrue(!r.err().contains("--g3-blocks"), "names only the option given: " + r.err());
    }

    @Test
    void textReportNamesTiersHitsAndPaths() {
        CliTest.Result r = CliTest.run("replay", "--requests", "30", "--g1-blocks", "200", "--g2-blocks", "0",
                "--block-bytes", "2048");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("G1: 200 blocks on host-pinned"), r.out());
        assertTrue(r.out().contains("hit rate"), r.out());
        assertTrue(r.out().contains("libc memcpy"), r.out());
    }

    @Test
    void aTraceFileIsReplayedAndATooSmallG1IsRefusedNamingBothNumbers(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("t.jsonl");
        Files.writeString(trace, """
                {"timestamp": 0, "input_length": 1024, "output_length": 1, "hash_ids": [0, 1]}
                {"timestamp": 5, "input_length": 1536, "output_length": 1, "hash_ids": [0, 1, 2]}
                {"timestamp": 9, "input_length": 512, "output_length": 1, "hash_ids": [0, 1, 2, 3, 4]}
                """);
        CliTest.Result ok = CliTest.run("replay", "--trace", trace.toString(), "--g1-blocks", "8", "--g2-blocks", "0",
                "--block-bytes", "1024", "--json");
        assertEquals(0, ok.code(), ok.err());
        Map<String, Object> j = JsonReports.object(ok.out());
        assertEquals(Map.of("g1", 5L, "g2", 0L, "g3", 0L, "g4", 0L), j.get("hits"));
        assertEquals(10L, j.get("blocks"));

        CliTest.Result small = CliTest.run("replay", "--trace", trace.toString(), "--g1-blocks", "4", "--block-bytes", "1024");
        assertEquals(2, small.code());
        assertEquals("kvbm replay: --g1-blocks: G1 has 4 blocks but the longest request needs 5; give G1 at least 5 "
                + "blocks\n", small.err());
    }

    @Test
    void aG2LargerThanTheMachineIsRefusedBeforeAllocating() {
        CliTest.Result r = CliTest.run("replay", "--g2-gb", "100000", "--requests", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("of host memory, but the machine has"), r.err());
        assertTrue(r.err().contains("MemAvailable"), r.err());
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertEquals("kvbm replay: --block-bytes must be even (blocks are 2-byte elements) (got 3)\n",
                CliTest.run("replay", "--block-bytes", "3").err());
        assertEquals("kvbm replay: --g2-blocks and --g2-gb exclude each other\n",
                CliTest.run("replay", "--g2-blocks", "3", "--g2-gb", "1").err());
        assertEquals("kvbm replay: --integrity: integrity must be one of off, sampled, always (got maybe)\n",
                CliTest.run("replay", "--integrity", "maybe").err());
        assertEquals("kvbm replay: --trace: no such file: /nonexistent.jsonl\n",
                CliTest.run("replay", "--trace", "/nonexistent.jsonl").err());
        System.setProperty("kvbm.provider.exclude", "disk");
        try {
            CliTest.Result g3 = CliTest.run("replay", "--requests", "2", "--g3-blocks", "64", "--block-bytes", "1024");
            assertEquals(1, g3.code(), "disk tier excluded: a clear failure, not a crash");
            assertTrue(g3.err().contains("no available provider serves G3 (disk)"), g3.err());
        } finally {
            System.clearProperty("kvbm.provider.exclude");
        }
    }
}
