package dev.kvbm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the real {@code ./kvbm} launcher on the distribution this build packaged. */
class KvbmLauncherIT {

    static final Path ROOT = Path.of(System.getProperty("kvbm.repo.root", "..")).toAbsolutePath().normalize();

    record Run(int code, String out, String err) {
    }

    static Run kvbm(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("kvbm").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        pb.environment().put("KVBM_NO_BUILD", "1"); // the distribution was just packaged; never rebuild inside a test
        pb.environment().putAll(env);
        Path out = Files.createTempFile("kvbm-out", ".txt");
        Path err = Files.createTempFile("kvbm-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "kvbm did not finish in 120 s");
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void layoutRunsEndToEnd() throws Exception {
        Run r = kvbm(Map.of(), "layout", "--type", "fc", "--blocks", "4", "--layers", "2", "--outer", "2", "--page",
                "16", "--inner", "128", "--dtype-bytes", "2", "--region", "3,1,1", "--json");
        assertEquals(0, r.code(), r.err());
        // R = 16 * 128 * 2 = 4096; block stride = 2 * 2 * 4096 = 16384; offset = 3*16384 + 8192 + 4096.
        assertTrue(r.out().contains("\"memoryRegionSize\":4096"), r.out());
        assertTrue(r.out().contains("\"blockStride\":16384"), r.out());
        assertTrue(r.out().contains("{\"block\":3,\"layer\":1,\"outer\":1,\"storage\":0,\"offset\":61440,\"size\":4096}"),
                r.out());
        assertEquals("", r.err(), "no JVM warnings on a clean run");
    }

    @Test
    void hashRunsEndToEnd() throws Exception {
        Run r = kvbm(Map.of(), "hash", "--tokens", "1,2,3,4", "--block-size", "4", "--salt", "1337");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("14643705804678351452"), r.out());
        assertEquals("", r.err(), "no JVM warnings (sun.misc.Unsafe) on a clean run");
    }

    @Test
    void tiersRunsEndToEnd() throws Exception {
        Run r = kvbm(Map.of(), "tiers");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("G1 (device):"), r.out());
    }

    @Test
    void badArgumentsExitTwoWithOneLineAndNoStackTrace() throws Exception {
        Run r = kvbm(Map.of(), "layout", "--type", "fc", "--blocks", "4", "--layers", "2", "--outer", "3", "--page",
                "16", "--inner", "128");
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("kvbm layout: --outer: outerDim must be in 1..2"), r.err());
    }

    @Test
    void malformedEnvironmentVariablesAreOneLineErrorsNamingThem() throws Exception {
        Run gb = kvbm(Map.of("DYN_KVBM_DISK_CACHE_GB", "abc"), "replay", "--requests", "2", "--block-bytes", "4096",
                "--g1-blocks", "64", "--g2-blocks", "0");
        assertEquals(2, gb.code(), gb.out());
        assertEquals("kvbm replay: DYN_KVBM_DISK_CACHE_GB must be a number of decimal GB >= 0 (got 'abc')\n", gb.err());
        Run filter = kvbm(Map.of("DYN_KVBM_DISABLE_DISK_OFFLOAD_FILTER", "maybe"), "replay", "--requests", "2",
                "--block-bytes", "4096", "--g1-blocks", "64", "--g2-blocks", "0");
        assertEquals(2, filter.code(), filter.out());
        assertEquals("kvbm replay: DYN_KVBM_DISABLE_DISK_OFFLOAD_FILTER must be true, false, 1 or 0 (got 'maybe')\n",
                filter.err());
        Run cpu = kvbm(Map.of("DYN_KVBM_CPU_CACHE_OVERRIDE_NUM_BLOCKS", "-1"), "replay", "--requests", "2",
                "--block-bytes", "4096", "--g1-blocks", "64");
        assertEquals(2, cpu.code(), cpu.out());
        assertTrue(cpu.err().startsWith("kvbm replay: DYN_KVBM_CPU_CACHE_OVERRIDE_NUM_BLOCKS must be an integer in 0.."),
                cpu.err());
        Run port = kvbm(Map.of("DYN_KVBM_LEADER_ZMQ_PUB_PORT", "http"), "leader", "--workers", "1",
                "--exit-after-handshake");
        assertEquals(2, port.code(), port.out());
        assertEquals("kvbm leader: DYN_KVBM_LEADER_ZMQ_PUB_PORT must be an integer in 1..65535 (got 'http')\n",
                port.err());
    }

    @Test
    void replayG2SizeComesFromDynamosCpuVariableWhenNoOptionGivesIt() throws Exception {
        Run r = kvbm(Map.of("DYN_KVBM_CPU_CACHE_OVERRIDE_NUM_BLOCKS", "96"), "replay", "--requests", "5",
                "--block-bytes", "4096", "--g1-blocks", "64", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"g2\":{\"blocks\":96,"), r.out());
    }

    @Test
    void replayRunsEndToEndOnTheHostTiers() throws Exception {
        Run r = kvbm(Map.of(), "replay", "--requests", "40", "--block-bytes", "8192", "--g1-blocks", "256",
                "--g2-blocks", "512", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"hits\":{\"g1\":"), r.out());
        assertTrue(r.out().contains("\"provider\":\"host-pinned\""), r.out());
        assertEquals("", r.err(), "no JVM or library warnings on a clean run");
    }

    @Test
    void mooncakeTraceReplayReachesAboutHalfOfTheUnboundedHitRate() throws Exception {
        Path trace = ROOT.resolveSibling("shared").resolve("traces/mooncake_synthetic_trace.jsonl");
        assumeTrue(Files.isReadable(trace), "../shared/traces/mooncake_synthetic_trace.jsonl is not present");
        Run r = kvbm(Map.of(), "replay", "--trace", trace.toString(), "--g1-blocks", "5859", "--g2-blocks", "0",
                "--block-bytes", "1024", "--integrity", "off", "--json");
        assertEquals(0, r.code(), r.err());
        double hit = Double.parseDouble(r.out().replaceAll(".*\"hitRate\":([0-9.eE-]+).*\n?", "$1"));
        double max = Double.parseDouble(r.out().replaceAll(".*\"maxHitRate\":([0-9.eE-]+).*\n?", "$1"));
        assertTrue(hit / max > 0.45 && hit / max < 0.51, "LRU reached " + hit / max + " of the unbounded hit rate");
    }

    @Test
    void findsJdk25EvenWhenJavaHomePointsAtAnOlderJdk() throws Exception {
        Path jdk17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
        assumeTrue(Files.isExecutable(jdk17.resolve("bin/java")), "no JDK 17 on this machine to point JAVA_HOME at");
        Run r = kvbm(Map.of("JAVA_HOME", jdk17.toString()), "hash", "--tokens", "1", "--block-size", "1");
        assertEquals(0, r.code(), r.err());
    }
}
