package dev.kvbm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kvbm.cli.KvbmLauncherIT.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kvbm replay --engine} and {@code kvbm model} end to end through the launcher, on the real engines the
 * distribution carries. Skipped, naming the cause, when an engine's library cannot run here.
 */
class EngineReplayIT {
    private static final JsonFactory JSON = new JsonFactory();

    /** A flat view of one JSON object: nested keys joined with dots ({@code hits.g1}). */
    static Map<String, Object> flat(String line) throws IOException {
        Map<String, Object> out = new HashMap<>();
        try (JsonParser p = JSON.createParser(line)) {
            List<String> path = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case FIELD_NAME -> path.add(p.currentName());
                    case START_OBJECT -> { }
                    case END_OBJECT -> {
                        if (!path.isEmpty()) {
                            path.removeLast();
                        }
                    }
                    default -> {
                        String key = String.join(".", path);
                        out.put(key, t.isNumeric() ? p.getNumberValue() : t == JsonToken.VALUE_NULL ? null : p.getText());
                        path.removeLast();
                    }
                }
            }
        }
        return out;
    }

    static long number(Map<String, Object> m, String key) {
        assertTrue(m.containsKey(key), "no " + key + " in " + m.keySet());
        return ((Number) m.get(key)).longValue();
    }

    static void assumeConnector(String name) throws Exception {
        Run tiers = KvbmLauncherIT.kvbm(name.equals("jlama") ? Map.of("KVBM_JLAMA", "1") : Map.of(), "tiers");
        String line = tiers.out().lines().filter(l -> l.startsWith("connector") && l.contains(" " + name + " "))
                .findFirst().orElse("");
        assumeTrue(line.contains(" yes "), () -> name + " cannot run here: " + (line.isEmpty() ? "not in the distribution"
                : line.replaceAll("\\s+", " ")));
    }

    static String traceLine(long... ids) {
        return "{\"timestamp\": 0, \"input_length\": " + ids.length * 16 + ", \"output_length\": 1, \"hash_ids\": "
                + LongStream.of(ids).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]")) + "}\n";
    }

    /**
     * A (32 trace blocks of 16 tokens), B (32 unrelated ones) that pushes A's tail out of G1 and G2, A2 (A's
     * first 28 and 4 new): A2 is served 8 pages from G1, 16 from G2 and 4 from G3, and its logits equal a full
     * recompute bit for bit.
     */
    /** Replays A, B, A2 through {@code engine} with G1 40, G2 56 and G3 256 pages, checked on onboarding. */
    static Map<String, Object> pushedDownAndBack(String engine, Path dir) throws Exception {
        Path trace = dir.resolve("abab.jsonl");
        Files.writeString(trace, traceLine(LongStream.range(0, 32).toArray()) + traceLine(LongStream.range(100, 132).toArray())
                + traceLine(LongStream.concat(LongStream.range(0, 28), LongStream.range(200, 204)).toArray()));
        Run r = KvbmLauncherIT.kvbm(Map.of("DYN_KVBM_DISK_CACHE_DIR", dir.toString(),
                        "DYN_KVBM_DISABLE_DISK_OFFLOAD_FILTER", "true"), "replay", "--engine", engine, "--trace",
                trace.toString(), "--page", "16", "--g1-blocks", "40", "--g2-blocks", "56", "--g3-blocks", "256",
                "--integrity", "always", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err().lines().filter(l -> !l.contains("incubator modules")).collect(Collectors.joining("\n")),
                "no warnings");
        Map<String, Object> m = flat(r.out().strip());
        assertEquals(3, number(m, "requests"));
        assertEquals(96, number(m, "blocks"));
        assertEquals(8, number(m, "hits.g1"), "A's head stays in G1 (leaf-first eviction)");
        assertEquals(16, number(m, "hits.g2"));
        assertEquals(4, number(m, "hits.g3"), "A's tail was evicted from G2; G3 still holds it");
        assertEquals(0, number(m, "checksumFailures"));
        assertEquals(1, number(m, "verified"), "only A2 reuses anything");
        assertEquals(3, number(m, "baselineRequests"));
        assertTrue(((String) m.get("engine")).startsWith(engine), m.toString());
        return m;
    }

    /**
     * A (32 trace blocks of 16 tokens), B (32 unrelated ones) that pushes A's tail out of G1 and G2, A2 (A's
     * first 28 and 4 new): A2 is served 8 pages from G1, 16 from G2 and 4 from G3, and its logits equal a full
     * recompute bit for bit.
     */
    @Test
    void aPromptPushedDownTheTiersComesBackFromEachOnLlamaCpp(@TempDir Path dir) throws Exception {
        assumeConnector("llama.cpp");
        Map<String, Object> m = pushedDownAndBack("llama.cpp", dir);
        assertEquals(0, number(m, "logitMismatches"));
        for (String key : List.of("ttftMs.p50", "ttftMs.p99", "recomputeTtftMs.p50", "recomputeTtftMs.p99", "ttftSpeedup")) {
            assertTrue(((Number) m.get(key)).doubleValue() > 0, key + " in " + m);
        }
    }

    /**
     * The same A -> B -> A2 on Jlama: the same pages come back from each tier, checked; the logits are compared
     * and counted (bit-exact against a recompute only on Jlama's pure-Java path, see the README).
     */
    @Test
    void aPromptPushedDownTheTiersComesBackFromEachOnJlama(@TempDir Path dir) throws Exception {
        assumeConnector("jlama");
        pushedDownAndBack("jlama", dir);
    }

    @Test
    void theDefaultWorkloadOnLlamaCppReachesTheUnboundedHitRateWithExactLogits() throws Exception {
        assumeConnector("llama.cpp");
        Run r = KvbmLauncherIT.kvbm(Map.of(), "replay", "--engine", "llama.cpp", "--requests", "16", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = flat(r.out().strip());
        assertEquals(16, number(m, "requests"));
        assertEquals(((Number) m.get("maxHitRate")).doubleValue(), ((Number) m.get("hitRate")).doubleValue(), 1e-12,
                "G1 and G2 hold the whole workload");
        assertEquals(4, number(m, "verified"));
        assertEquals(0, number(m, "logitMismatches"));
        assertEquals(16, number(m, "traceBlockTokens"));
    }

    @Test
    void jlamaReplaysTheSameWorkload() throws Exception {
        assumeConnector("jlama");
        Run r = KvbmLauncherIT.kvbm(Map.of(), "replay", "--engine", "jlama", "--requests", "6", "--verify", "2", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = flat(r.out().strip());
        assertTrue(((String) m.get("engine")).startsWith("jlama"), m.toString());
        assertEquals(6, number(m, "requests"));
        assertEquals(2, number(m, "verified"));
        assertTrue(number(m, "hits.g1") > 0, "the turns share their prefixes");
        // Jlama's native matrix code depends on the batch size, so reuse is bit-exact against a recompute only on
        // its pure-Java path; here the count is reported, not asserted (the connector's tests pin both paths).
        assertTrue(number(m, "logitMismatches") <= 2);
    }

    @Test
    void modelWritesBothFormatsAndRefusesBadInput(@TempDir Path dir) throws Exception {
        Path gguf = dir.resolve("m.gguf");
        Run r = KvbmLauncherIT.kvbm(Map.of(), "model", "--out", gguf.toString(), "--format", "gguf", "--layers", "2",
                "--seed", "3");
        assertEquals(0, r.code(), r.err());
        byte[] head = Files.readAllBytes(gguf);
        assertEquals("GGUF", new String(head, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        Path folder = dir.resolve("jl");
        r = KvbmLauncherIT.kvbm(Map.of(), "model", "--out", folder.toString(), "--format", "jlama");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(folder.resolve("config.json")) && Files.exists(folder.resolve("model.safetensors")));
        r = KvbmLauncherIT.kvbm(Map.of(), "model", "--out", dir.resolve("x").toString(), "--format", "gguf",
                "--heads", "3");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("hidden") || r.err().contains("heads"), r.err());
    }
}
