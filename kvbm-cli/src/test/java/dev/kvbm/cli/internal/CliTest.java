package dev.kvbm.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CliTest {

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void layoutJsonHasTheDocumentedKeysAndValues() {
        Result r = run("layout", "--type", "fc", "--blocks", "3", "--layers", "2", "--outer", "2", "--page", "4",
                "--inner", "8", "--dtype-bytes", "2", "--alignment", "512", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = JsonReports.object(r.out());
        assertEquals(64L, j.get("memoryRegionSize"));
        assertEquals(64L, j.get("outerStride"));
        assertEquals(128L, j.get("layerStride"));
        assertEquals(512L, j.get("blockStride"));
        assertEquals(2 * 512L + 256, j.get("layoutDataBytes"));
        assertEquals(2 * 512L + 256 + 511, j.get("requiredAllocationSize"));
        List<?> regions = (List<?>) j.get("regions");
        assertEquals(3 * 2 * 2, regions.size());
        assertEquals(Map.of("block", 2L, "layer", 1L, "outer", 1L, "storage", 0L, "offset", 1024L + 128 + 64, "size", 64L),
                regions.getLast());
    }

    @Test
    void layoutWithoutOptionsListsEveryLayoutProvider() {
        Result text = run("layout");
        assertEquals(0, text.code(), text.err());
        Map<String, Object> j = JsonReports.object(run("layout", "--json").out());
        List<String> names = ((List<?>) j.get("layouts")).stream().map(o -> (String) ((Map<?, ?>) o).get("name")).toList();
        assertEquals(List.of("fc", "ls-outer", "ls-block", "hicache-layer-first", "hicache-page-first",
                "hicache-page-first-direct", "hicache-page-head"), names);
        for (String name : names) {
            assertTrue(text.out().contains(name), name + " missing from:\n" + text.out());
        }
    }

    @Test
    void stridedLayoutsShowTheirRunsAndLevels() {
        String[] geometry = {"--blocks", "3", "--layers", "2", "--outer", "2", "--page", "4", "--inner", "8",
            "--dtype-bytes", "2", "--region", "1,1,1", "--json"};
        // page-head, 2 heads of 4: head runs of 8 bytes; heads 4 x 2 x 8 = 64 apart, tokens 2 x 8 = 16 apart;
        // block stride 2 x 64 = 128, outer stride 3 x 128 = 384; page (1,1,1) starts at 384 + 128 + 8.
        Result head = run(concat(new String[] {"layout", "--type", "hicache-page-head", "--heads", "2"}, geometry));
        assertEquals(0, head.code(), head.err());
        assertEquals(List.of(Map.of("block", 1L, "layer", 1L, "outer", 1L, "storage", 0L, "offset", 520L, "size", 64L,
                "runBytes", 8L, "levels", List.of(List.of(2L, 64L), List.of(4L, 16L)))),
                JsonReports.object(head.out()).get("regions"));
        // page-first: token runs of 16 bytes, 2 layers x 16 = 32 apart; page (1,1,1) at 384 + 128 + 16.
        Result first = run(concat(new String[] {"layout", "--type", "hicache-page-first"}, geometry));
        assertEquals(List.of(Map.of("block", 1L, "layer", 1L, "outer", 1L, "storage", 0L, "offset", 528L, "size", 64L,
                "runBytes", 16L, "levels", List.of(List.of(4L, 32L)))), JsonReports.object(first.out()).get("regions"));
        Result noHeads = run(concat(new String[] {"layout", "--type", "hicache-page-head"}, geometry));
        assertEquals(2, noHeads.code());
        assertTrue(noHeads.err().startsWith("kvbm layout: --heads: layout hicache-page-head places each head apart"),
                noHeads.err());
        Result text = run("layout", "--type", "hicache-page-first", "--blocks", "1", "--layers", "2", "--outer", "1",
                "--page", "2", "--inner", "4", "--regions");
        assertTrue(text.out().contains("8 x 2@16"), text.out()); // tokens of 4 x 2 bytes, 2 layers x 8 apart
    }

    private static String[] concat(String[] a, String[] b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).toArray(String[]::new);
    }

    @Test
    void layoutRegionShowsOnlyTheOneAsked() {
        Result r = run("layout", "--type", "ls-outer", "--blocks", "3", "--layers", "2", "--outer", "2", "--page", "4",
                "--inner", "8", "--dtype-bytes", "2", "--region", "2,1,1", "--json");
        assertEquals(0, r.code(), r.err());
        List<?> regions = (List<?>) JsonReports.object(r.out()).get("regions");
        assertEquals(List.of(Map.of("block", 2L, "layer", 1L, "outer", 1L, "storage", 1L, "offset", 128L + 192,
                "size", 64L)), regions);
    }

    @Test
    void layoutTextNamesEveryQuantity() {
        Result r = run("layout", "--type", "ls-block", "--blocks", "2", "--layers", "1", "--outer", "1", "--page", "2",
                "--inner", "2", "--dtype-bytes", "4");
        assertEquals(0, r.code(), r.err());
        for (String key : List.of("memoryRegionSize", "outerStride", "layerStride", "blockStride", "layoutDataBytes",
                "requiredAllocationSize")) {
            assertTrue(r.out().contains(key), key + " missing from:\n" + r.out());
        }
        assertTrue(r.out().contains("(each layer is its own storage region)"));
    }

    @Test
    void layoutTextListsRegionsOnlyWhenAskedAndStopsWhenItsReaderGoesAway() {
        String[] args = {"layout", "--type", "fc", "--blocks", "2", "--layers", "1", "--outer", "2", "--page", "2",
            "--inner", "2"};
        Result summary = run(args);
        assertEquals(0, summary.code(), summary.err());
        assertTrue(summary.out().contains("regions                  4 (list them with --regions"), summary.out());
        assertFalse(summary.out().contains("offset"), summary.out());
        java.util.List<String> listed = new java.util.ArrayList<>(List.of(args));
        listed.add("--regions");
        Result all = run(listed.toArray(String[]::new));
        assertEquals(4, all.out().lines().filter(l -> l.matches("\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+")).count(),
                all.out());
        // A million blocks into a pipe whose reader left after the first kilobyte (as `| head -1`): it stops.
        java.io.OutputStream closing = new java.io.OutputStream() {
            long written;

            @Override
            public void write(int b) throws java.io.IOException {
                if (++written > 1024) {
                    throw new java.io.IOException("Broken pipe");
                }
            }
        };
        for (String format : new String[] {"--regions", "--json"}) {
            long start = System.nanoTime();
            int code = new Cli(new PrintStream(closing, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run(new String[] {"layout", "--type",
                    "fc", "--blocks", "1000000", "--layers", "2", "--outer", "2", "--page", "16", "--inner", "128", format});
            assertEquals(0, code, format);
            assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(30),
                    format + ": stopped once the output could not be written");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "outer out of range;   --outer=3;       kvbm layout: --outer: outerDim must be in 1..2 (2 = separate K and V, 1 = MLA or fused) (got 3)",
        "alignment not pow2;   --alignment=3;   kvbm layout: --alignment: alignment must be a power of two >= 1 (got 3)",
        "blocks not a number;  --blocks=many;   kvbm layout: --blocks must be an integer (got 'many')",
        "zero blocks;          --blocks=0;      kvbm layout: --blocks: numBlocks must be >= 1 (got 0)",
        "bad type;             --type=ls;       kvbm layout: --type: layoutType must be one of fc, ls-outer, ls-block, hicache-layer-first, hicache-page-first, hicache-page-first-direct, hicache-page-head (got ls)",
        "heads not a divisor;  --heads=3;       kvbm layout: --heads: numHeads must be 0 (no head split) or a divisor of innerDim 8 (got 3)",
        "region out of range;  --region=0,5,0;  kvbm layout: --region: layer index 5 out of range 0..1",
        "region malformed;     --region=1,2;    kvbm layout: --region must be three indices block,layer,outer (got '1,2')",
        "unknown option;       --colour=red;    kvbm layout: unknown option --colour (known: --type --blocks --layers --outer --page --inner --dtype-bytes --heads --alignment --region --regions --json)",
    })
    void badLayoutArgumentsExitTwoWithOneLineNamingTheOption(String name, String override, String expected) {
        String key = override.substring(0, override.indexOf('='));
        java.util.List<String> args = new java.util.ArrayList<>(List.of("layout"));
        Map<String, String> base = new java.util.LinkedHashMap<>(Map.of("--type", "fc", "--blocks", "2", "--layers", "2",
                "--outer", "2", "--page", "4", "--inner", "8", "--dtype-bytes", "2"));
        base.remove(key);
        base.forEach((k, v) -> args.add(k + "=" + v));
        args.add(override);
        Result r = run(args.toArray(String[]::new));
        assertEquals(2, r.code());
        assertEquals(expected + "\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        Result r = run("layout", "--type", "fc");
        assertEquals(2, r.code());
        assertEquals("kvbm layout: --blocks is required (an integer)\n", r.err());
    }

    @Test
    void debugAddsTheStackTrace() {
        Result r = run("layout", "--debug", "--type", "fc", "--blocks", "0", "--layers", "1", "--outer", "1",
                "--page", "1", "--inner", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("at dev.kvbm.api"), r.err());
    }

    @Test
    void hashJsonMatchesDynamo() {
        Result r = run("hash", "--tokens", "1,2,3,4,5", "--block-size", "4", "--salt", "1337", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = JsonReports.object(r.out());
        List<?> blocks = (List<?>) j.get("blocks");
        assertEquals(1, blocks.size());
        Map<?, ?> b = (Map<?, ?>) blocks.getFirst();
        assertEquals("14643705804678351452", b.get("blockHash"));
        assertEquals("14643705804678351452", b.get("sequenceHash"));
        assertEquals(List.of(1L, 2L, 3L, 4L), b.get("tokens"));
        assertEquals(List.of(5L), j.get("partial"));
    }

    @Test
    void hashAcceptsTheWholeUnsignedRanges() {
        Result r = run("hash", "--tokens", "4294967295,0", "--block-size", "2", "--salt", "18446744073709551615",
                "--json");
        assertEquals(0, r.code(), r.err());
        Map<?, ?> b = (Map<?, ?>) ((List<?>) JsonReports.object(r.out()).get("blocks")).getFirst();
        assertEquals(List.of(4294967295L, 0L), b.get("tokens"));
        assertEquals("18446744073709551615", JsonReports.object(r.out()).get("salt"));
    }

    @Test
    void badHashArguments() {
        assertEquals("kvbm hash: --tokens: token 1 must be in 0..4294967295 (got 4294967296)\n",
                run("hash", "--tokens", "1,4294967296", "--block-size", "2").err());
        assertEquals("kvbm hash: --block-size must be in 1..2147483647 (got 0)\n",
                run("hash", "--tokens", "1", "--block-size", "0").err());
        Result salt = run("hash", "--tokens", "1", "--block-size", "1", "--salt", "-1");
        assertEquals(2, salt.code());
        assertTrue(salt.err().startsWith("kvbm hash: --salt must be an unsigned 64-bit decimal"), salt.err());
    }

    @Test
    void tiersListsProvidersAndWhichServesEachTier() {
        Result r = run("tiers", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = JsonReports.object(r.out());
        assertTrue(j.get("providers") instanceof List<?>);
        assertEquals(List.of("G1", "G2", "G3", "G4"), List.copyOf(((Map<?, ?>) j.get("tiers")).keySet()));
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : List.of("replay", "layout", "hash", "tiers", "bench", "leader", "worker", "model")) {
            Result r = run(c, "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().startsWith("usage: kvbm " + c), r.out());
            assertTrue(r.out().contains("--help") && r.out().contains("options:"), r.out());
        }
        assertTrue(run("bench", "--help").out().contains("--baseline FILE"));
        assertEquals(0, run("--help").code());
        assertTrue(run("--help").out().contains("layout"));
    }

    @Test
    void unknownCommandAndNoCommandAreUsageErrors() {
        Result r = run("frobnicate");
        assertEquals(2, r.code());
        assertEquals("kvbm: unknown command 'frobnicate' (commands: replay, layout, hash, tiers, bench, leader, worker, "
                + "model; see kvbm --help)\n", r.err());
        assertEquals(2, run().code());
    }

    @Test
    void versionNamesKvbmAndJava() {
        for (String[] args : List.of(new String[] {"--version"}, new String[] {"layout", "--version"})) {
            Result r = run(args);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("kvbm "), r.out());
            assertTrue(r.out().contains("Java " + Runtime.version()), r.out());
        }
    }

    @Test
    void helpShowsDefaultsUnitsEnvironmentAndExitCodes() {
        String help = run("replay", "--help").out();
        for (String text : List.of("Default: sampled", "--g2-gb=X", "decimal GB", "DYN_KVBM_DISK_CACHE_GB",
                "DYN_KVBM_CPU_CACHE_GB", "exit status:", "2   bad command line or environment variable", "--debug")) {
            assertTrue(help.contains(text), text + " missing from:\n" + help);
        }
        assertTrue(run("leader", "--help").out().contains("DYN_KVBM_LEADER_WORKER_INIT_TIMEOUT_SECS"));
        assertTrue(run("help", "bench").out().contains("3   regression against the baseline"));
        assertTrue(run("help", "replay").out().contains("4   a worker died or failed transfers during kvbm replay --workers"));
        String worker = run("worker", "--help").out();
        for (String option : List.of("--g4=URI", "--shard-index=S", "--model-identity=ID", "--metrics-port=P")) {
            assertTrue(worker.contains(option), option + " missing from:\n" + worker);
        }
        String leader = run("leader", "--help").out();
        for (String option : List.of("--g4=URI", "--events=tcp://HOST:PORT", "--events-replay=tcp://HOST:PORT",
                "--metrics-port=P", "KVBM_EVENTS_ENDPOINT")) {
            assertTrue(leader.contains(option), option + " missing from:\n" + leader);
        }
    }

    @Test
    void picocliErrorsStayOneLineNamingTheOption() {
        assertEquals("kvbm layout: --blocks needs a value (N)\n", run("layout", "--blocks").err());
        assertEquals("kvbm layout: --json is given more than once\n", run("layout", "--json", "--json").err());
        assertEquals("kvbm layout: --json takes no value\n", run("layout", "--json=false").err());
        assertEquals("kvbm layout: unexpected argument 'extra' (options start with --)\n", run("layout", "extra").err());
        assertEquals("kvbm hash: --block-size must be in 1..2147483647 (got 99999999999)\n",
                run("hash", "--tokens", "1", "--block-size", "99999999999").err());
        Result both = run("replay", "--g1-device", "0", "--workers", "2");
        assertEquals(2, both.code());
        assertEquals("kvbm replay: --g1-device and --workers exclude each other\n", both.err());
        Result shape = run("replay", "--block-bytes", "4096", "--layers", "2");
        assertEquals(2, shape.code());
        assertTrue(shape.err().startsWith("kvbm replay: --block-bytes and --layers"), shape.err());
        assertTrue(shape.err().endsWith(" exclude each other\n"), shape.err());
    }

    @Test
    void benchOptionsAreChecked() throws java.io.IOException {
        Result both = run("bench", "--quick", "--smoke");
        assertEquals(2, both.code());
        assertEquals("kvbm bench: --quick and --smoke exclude each other\n", both.err());
        assertEquals("kvbm bench: --threshold must be in 1..99 (got 150)\n", run("bench", "--threshold", "150").err());
        assertEquals(2, run("bench", "--filter", "(").code());
        java.nio.file.Path never = java.nio.file.Files.createTempDirectory("kvbm-bench-test").resolve("out");
        Result badBaseline = run("bench", "--smoke", "--baseline", "/nonexistent/base.json", "--out", never.toString());
        assertEquals(2, badBaseline.code(), "a missing baseline is a usage error, found before anything runs");
        assertEquals("kvbm bench: --baseline: no such baseline file: /nonexistent/base.json\n", badBaseline.err());
        assertFalse(java.nio.file.Files.exists(never), "nothing left behind");
    }

    @Test
    void aFilterThatMatchesNoBenchmarkOrAFileAsOutIsAUsageErrorThatLeavesNothing(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path out = dir.resolve("out");
        Result none = run("bench", "--smoke", "--filter", "NoSuch", "--out", out.toString());
        assertEquals(2, none.code(), none.err());
        assertTrue(none.err().startsWith("kvbm bench: --filter: no benchmark matches --filter 'NoSuch' (benchmarks: "),
                none.err());
        assertTrue(none.err().contains("HostCopyBenchmark") && none.err().contains("CudaCopy"), none.err());
        assertFalse(java.nio.file.Files.exists(out), "--out is made only after every check passed");
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("a-file"), "x");
        Result asOut = run("bench", "--smoke", "--filter", "SequenceHash", "--out", file.toString());
        assertEquals(2, asOut.code(), asOut.err());
        assertTrue(asOut.err().contains("is a file, not a directory"), asOut.err());
        // The name the README uses for the GPU copies is measured beside JMH: no JMH fork, no failure.
        Result cuda = run("bench", "--smoke", "--filter", "CudaCopy", "--out", dir.resolve("cuda").toString());
        assertEquals(0, cuda.code(), cuda.err());
    }

    @Test
    void benchExitsThreeWithATableWhenTheBaselineWasFaster(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path baseline = dir.resolve("fast.json");
        // Sequence hashing at 100x its XXH3 reference: no implementation reaches that, so the run regresses.
        java.nio.file.Files.writeString(baseline, "{\"kvbmBaseline\":1,\"metrics\":{\n"
                + "  \"hash/sequence/32\":{\"speed\":100.0,\"error\":0.01,\"value\":1.0,\"unit\":\"ns/token\"}\n}}\n");
        Result r = run("bench", "--smoke", "--filter", "SequenceHash", "--baseline", baseline.toString(), "--out",
                dir.resolve("out").toString());
        assertEquals(BenchCommand.REGRESSED, r.code(), r.err());
        assertTrue(r.out().contains("REGRESSED:"), r.out());
        assertTrue(r.out().contains("| hash/sequence/32 | 100.000"), r.out());
        assertTrue(r.out().contains("compared 1 metrics"), r.out());
    }
}
